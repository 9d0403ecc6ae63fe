// The QR link lands on a confirm form; with scripts on, it confirms by itself once.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
})();
