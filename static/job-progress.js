// A background job's progress where the staff member started it (the export on the application list):
// ask the admin every two seconds, move the bar, and show the file's link once the job is done.
// Without this script the page shows the progress as it was when loaded, and a reload shows more.
(function () {
  "use strict";
  var EVERY_MS = 2000;
  var MAX_TRIES = 900;

  function follow(item, tries) {
    fetch(item.getAttribute("data-job-progress"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) return;
        var bar = item.querySelector("progress");
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        item.setAttribute("data-status", job.status);
        item.querySelector("[data-job-text]").textContent =
          job.status_label + " · " + job.processed + " / " + job.total + "（" + job.percent + "%）";
        if (job.download_url) {
          var link = item.querySelector("[data-job-download]");
          link.href = job.download_url;
          link.hidden = false;
        }
        if (!job.finished && tries < MAX_TRIES) {
          window.setTimeout(function () { follow(item, tries + 1); }, EVERY_MS);
        }
      })
      .catch(function () {});
  }

  document.querySelectorAll("[data-job-progress]").forEach(function (item) { follow(item, 0); });
})();
