/* Job page: poll the job's JSON status and move the progress bar; reload once it ends,
   so the page the server renders (download link, error, retry) takes over. */
(function () {
  "use strict";
  var panel = document.getElementById("job");
  if (!panel || !window.fetch) { return; }
  var status = panel.getAttribute("data-status");
  if (status === "finished" || status === "failed" || status === "stale") { return; }

  var url = panel.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  var label = document.getElementById("job-status-label");
  var hint = document.getElementById("job-reload-hint");
  var delay = 1000;
  if (hint) { hint.hidden = true; }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function number(n) { return Number(n).toLocaleString("vi-VN"); }

  function show(data) {
    if (data.total !== null && data.total !== undefined) {
      bar.max = Math.max(data.total, 1);
      bar.value = data.total ? data.done : (data.finished ? 1 : 0);
      text.textContent = format(panel.getAttribute("data-text-progress"),
        { done: number(data.done), total: number(data.total), percent: data.percent });
    } else {
      text.textContent = format(panel.getAttribute("data-text-progress-unknown"), { done: number(data.done) });
    }
    bar.textContent = data.percent + "%";
    label.textContent = data.status_label;
    label.className = "job-status-" + data.status;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.status === "finished" || data.status === "failed" || data.stale) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        text.textContent = panel.getAttribute("data-text-lost");
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, 500);
})();
