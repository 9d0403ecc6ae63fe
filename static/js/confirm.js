/* Confirm first: a form (or its submit button) with data-confirm="…" asks in a dialog
   before it is sent, and is sent with confirmed=1 only after «Xác nhận».
   data-confirm-field="name" with data-confirm-original="value": ask only when that field
   was changed. Without this script the server answers a confirmation page instead
   (courses/confirmation.py). */
(function () {
  "use strict";

  function changed(form) {
    var name = form.getAttribute("data-confirm-field");
    if (!name) { return true; }
    var field = form.elements.namedItem(name);
    return !field || field.value !== form.getAttribute("data-confirm-original");
  }

  function ask(source, form, onConfirm) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var heading = document.createElement("h2");
    heading.className = "h5";
    heading.id = "confirm-dialog-title";
    heading.textContent = source.getAttribute("data-confirm-title") || form.getAttribute("data-confirm-title") || "Xác nhận";
    dialog.appendChild(heading);
    source.getAttribute("data-confirm").split("\n").forEach(function (line) {
      if (!line) { return; }
      var p = document.createElement("p");
      p.textContent = line;
      dialog.appendChild(p);
    });
    var buttons = document.createElement("div");
    buttons.className = "d-flex gap-2 justify-content-end";
    var ok = document.createElement("button");
    ok.type = "button";
    ok.className = "btn btn-danger";
    ok.setAttribute("data-confirm-ok", "");
    ok.textContent = source.getAttribute("data-confirm-ok") || form.getAttribute("data-confirm-ok") || "Xác nhận";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-outline-secondary";
    cancel.setAttribute("data-confirm-cancel", "");
    cancel.textContent = source.getAttribute("data-confirm-cancel") || form.getAttribute("data-confirm-cancel") || "Quay lại";
    buttons.appendChild(ok);
    buttons.appendChild(cancel);
    dialog.appendChild(buttons);
    document.body.appendChild(dialog);
    var done = false;
    function close(confirmed) {
      if (done) { return; }
      done = true;
      dialog.close();
      dialog.remove();
      if (confirmed) { onConfirm(); }
    }
    ok.addEventListener("click", function () { close(true); });
    cancel.addEventListener("click", function () { close(false); });
    dialog.addEventListener("cancel", function () { close(false); });  // Escape
    dialog.showModal();
    cancel.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("data-confirm-sent") === "1") { return; }
    var submitter = event.submitter || null;
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter
      : (form.hasAttribute("data-confirm") ? form : null);
    if (!source || !changed(form)) { return; }
    event.preventDefault();
    ask(source, form, function () {
      var flag = form.querySelector("input[name=confirmed]");
      if (!flag) {
        flag = document.createElement("input");
        flag.type = "hidden";
        flag.name = "confirmed";
        form.appendChild(flag);
      }
      flag.value = "1";
      form.setAttribute("data-confirm-sent", "1");
      if (submitter && form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      // The data to send is taken by now: a page restored from history asks again.
      form.removeAttribute("data-confirm-sent");
      flag.remove();
    });
  }, true);
})();
