// Organizer's check-in screen: poll the count and list; rotate the code before it expires.
(function () {
  "use strict";
  var root = document.getElementById("check-in-screen");
  if (!root || !window.fetch) { return; }
  var statusUrl = root.getAttribute("data-status-url");
  var rotateUrl = root.getAttribute("data-rotate-url");
  var minutes = parseFloat(root.getAttribute("data-minutes")) || 3;
  // The period the page states («Mã đổi sau mỗi …»): a new code once the shown one is this old.
  var rotateSeconds = parseFloat(root.getAttribute("data-rotate-seconds")) || minutes * 30;
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
      // In Hà Nội time, formatted by the server like the rest of the page (not the browser's zone).
      document.getElementById("check-in-expires").textContent = code.expires_clock;
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
        var projector = document.getElementById("check-in-projector-count");
        if (projector) { projector.textContent = data.count; }
        if (!data.code && data.closed) { window.location.reload(); return; }
        var list = document.getElementById("check-in-list");
        list.textContent = "";
        data.people.forEach(function (person) {
          var item = document.createElement("li");
          item.textContent = person.name + " (" + person.method + ")";
          list.appendChild(item);
        });
        if (data.code) {
          showCode(data.code);
          // A new code once the shown one is rotateSeconds old, so a scanned code stays valid a while.
          var left = new Date(data.code.expires_at).getTime() - Date.now();
          if (left <= (minutes * 60 - rotateSeconds) * 1000) { rotate(); }
        }
      })
      .catch(function () {});
  }

  if (document.getElementById("check-in-code")) {
    setInterval(poll, 4000);
  }

  // Full screen for a projector: the QR, the code and «x / N đã có mặt» (static/css/check_in_screen.css).
  var fullscreen = document.getElementById("check-in-fullscreen");
  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () { root.requestFullscreen(); });
  }
})();
