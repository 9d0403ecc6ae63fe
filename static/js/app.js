/* Site behaviour without inline scripts (the Content-Security-Policy forbids them). */
(function () {
  "use strict";
  // <button data-print> prints the page (timetables, rosters, summaries).
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();

(function () {
  "use strict";
  // <form data-confirm="question"> is sent only once the user confirms (deactivating an account).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
