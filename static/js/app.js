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
