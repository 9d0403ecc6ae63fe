// Roll call: each choice is saved at once (fetch with the CSRF header); keys C/V/P choose.
(function () {
  "use strict";
  var form = document.getElementById("roll-call");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-mark-url");
  var token = form.querySelector("input[name=csrf_token]");
  var keys = { c: "present", v: "absent", p: "excused" };

  function save(row, status) {
    var cell = row.querySelector("[data-saved]");
    var body = new FormData();
    body.append("enrollment_id", row.getAttribute("data-enrollment"));
    body.append("status", status);
    cell.textContent = "…";
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      cell.textContent = result.ok ? "✓ " + result.data.label : (result.data.message || "!");
    }).catch(function () { cell.textContent = "!"; });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") { return; }
    save(input.closest("tr"), input.value);
  });

  form.addEventListener("keydown", function (event) {
    var row = event.target.closest ? event.target.closest("tr.roll-row") : null;
    if (!row) { return; }
    var key = event.key.toLowerCase();
    if (keys[key]) {
      var radio = row.querySelector("input[value=" + keys[key] + "]");
      if (radio && !radio.checked) { radio.checked = true; save(row, keys[key]); }
      var next = row.nextElementSibling;
      if (next) { next.focus(); }
      event.preventDefault();
    } else if (key === "arrowdown" || key === "arrowup") {
      var target = key === "arrowdown" ? row.nextElementSibling : row.previousElementSibling;
      if (target) { target.focus(); event.preventDefault(); }
    }
  });

  var all = document.querySelector("form[data-all-present]");
  if (all) {
    all.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(all.action, {
        method: "POST", body: new FormData(all), credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (!data.ok) { return; }
        form.querySelectorAll("tr.roll-row").forEach(function (row) {
          var excused = row.querySelector("input[value=excused]");
          if (excused && excused.checked) { return; }
          var present = row.querySelector("input[value=present]");
          if (present && !present.checked) { present.checked = true; row.querySelector("[data-saved]").textContent = "✓"; }
        });
      });
    });
  }
})();
