// The photo and materials pages: while an upload is being checked, ask the API now and then and
// reload the page once the verdict is in. The page also has a plain "刷新状态" link.
(function () {
  "use strict";
  var panel = document.querySelector("[data-poll-url]");
  if (!panel) {
    return;
  }
  var url = panel.getAttribute("data-poll-url");
  var kind = panel.getAttribute("data-poll-kind");
  var tries = 0;
  var MAX_TRIES = 90;
  var INTERVAL = 2000;

  function decided(body) {
    if (kind === "photo") {
      return body.status !== "pending";
    }
    return !body.slots.some(function (slot) {
      return slot.files.some(function (file) { return file.status === "pending"; });
    });
  }

  function later() {
    if (tries < MAX_TRIES) {
      window.setTimeout(tick, INTERVAL);
    }
  }

  function tick() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && decided(body)) {
          window.location.reload();
        } else {
          later();
        }
      })
      .catch(later);
  }

  window.setTimeout(tick, 1000);
})();
