// Organizer's check-in screen: poll the count and list; rotate the code before it expires.
(function () {
  "use strict";
  var root = document.getElementById("check-in-screen");
  if (!root || !window.fetch) { return; }
  var statusUrl = root.getAttribute("data-status-url");
  var rotateUrl = root.getAttribute("data-rotate-url");
  var minutes = parseFloat(root.getAttribute("data-minutes")) || 3;
  var token = document.querySelector("#rotate-form input[name=csrf_token]");
  var headers = { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch", "Accept": "application/json" };
  var rotating = false;

  function showCode(code) {
    var img = document.getElementById("check-in-qr");
    var text = document.getElementById("check-in-code");
    if (!code || !img || !text) { return; }
    if (text.textContent !== code.code) {
      img.src = code.qr_svg;
      text.textContent = code.code;
      var expires = new Date(code.expires_at);
      document.getElementById("check-in-expires").textContent =
        ("0" + expires.getHours()).slice(-2) + ":" + ("0" + expires.getMinutes()).slice(-2);
    }
  }

  function rotate() {
    if (rotating) { return; }
    rotating = true;
    fetch(rotateUrl, { method: "POST", body: new FormData(document.getElementById("rotate-form")),
                       credentials: "same-origin", headers: headers })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.ok) { showCode(data); } })
      .finally(function () { rotating = false; });
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: headers })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.getElementById("check-in-count").textContent = data.count;
        var list = document.getElementById("check-in-list");
        list.textContent = "";
        data.people.forEach(function (person) {
          var item = document.createElement("li");
          item.textContent = person.name + " (" + person.method + ")";
          list.appendChild(item);
        });
        if (data.code) {
          showCode(data.code);
          // A new code when less than half the lifetime is left, so a scanned code stays valid.
          var left = new Date(data.code.expires_at).getTime() - Date.now();
          if (left < minutes * 60000 / 2) { rotate(); }
        }
      })
      .catch(function () {});
  }

  if (document.getElementById("check-in-code")) {
    setInterval(poll, 4000);
  }
})();
