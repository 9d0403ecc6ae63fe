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
      if (radio && !radio.checked) { radio.checked = true; save(row, keys[key]); updateTally(); }
      var next = row.nextElementSibling;
      if (next) { next.focus(); }
      event.preventDefault();
    } else if (key === "arrowdown" || key === "arrowup") {
      var target = key === "arrowdown" ? row.nextElementSibling : row.previousElementSibling;
      if (target) { target.focus(); event.preventDefault(); }
    }
  });

  var tally = document.getElementById("roll-call-tally");
  function updateTally() {
    if (!tally) { return; }
    var rows = form.querySelectorAll("tr.roll-row");
    var done = 0;
    rows.forEach(function (row) { if (row.querySelector("input[type=radio]:checked")) { done += 1; } });
    tally.textContent = tally.getAttribute("data-template").replace("{done}", done).replace("{total}", rows.length);
  }
  form.addEventListener("change", updateTally);

  function unmarkedRows() {
    return Array.prototype.filter.call(form.querySelectorAll("tr.roll-row"), function (row) {
      return !row.querySelector("input[type=radio]:checked");
    });
  }

  // «Tất cả có mặt» asks first: how many rows, not marked yet, will become present.
  var all = document.querySelector("form[data-all-present]");
  var dialog = document.getElementById("all-present-dialog");
  if (all && dialog && dialog.showModal) {
    var question = document.getElementById("all-present-question");
    var confirmButton = dialog.querySelector("[data-confirm]");
    all.addEventListener("submit", function (event) {
      event.preventDefault();
      var count = unmarkedRows().length;
      question.textContent = count ? dialog.getAttribute("data-template").replace("{count}", count) + "?"
                                   : dialog.getAttribute("data-none");
      confirmButton.hidden = !count;
      dialog.showModal();
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", function () { dialog.close(); });
    confirmButton.addEventListener("click", function () {
      dialog.close();
      var body = new FormData();
      body.append("csrf_token", token ? token.value : "");
      fetch(all.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (!data.ok) { window.alert(data.message || "!"); return; }
        data.enrollment_ids.forEach(function (id) {
          var row = form.querySelector("tr.roll-row[data-enrollment='" + id + "']");
          if (!row) { return; }
          var present = row.querySelector("input[value=present]");
          if (present && !row.querySelector("input[type=radio]:checked")) {
            present.checked = true;
            row.querySelector("[data-saved]").textContent = "✓";
          }
        });
        updateTally();
      });
    });
  }
})();
