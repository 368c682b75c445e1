// The progress of an import being checked or written: polls the run's counts and updates the figures on the
// page; once the run stops (checked, done, failed), reloads the page to show its report. Without JavaScript
// the page has a refresh link. A static file, so the Content-Security-Policy can forbid inline script.
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) {
    return;
  }
  var url = box.dataset.progressUrl;
  function update() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (!data.in_progress) {
          window.location.reload();
          return;
        }
        document.querySelectorAll("[data-progress-field]").forEach(function (element) {
          var value = data[element.dataset.progressField];
          if (value !== undefined) {
            element.textContent = value;
          }
        });
        var bar = box.querySelector("progress");
        if (bar && data.rows_total) {
          bar.max = data.rows_total;
          bar.value = data.rows_written + data.rows_skipped;
        }
        window.setTimeout(update, 2000);
      })
      .catch(function () {
        window.setTimeout(update, 5000);
      });
  }
  window.setTimeout(update, 1500);
})();
