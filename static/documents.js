// 打印报名表 / 打印准考证 on the application pages: ask the API until the PDF of the current version
// is ready, then open it; while a worker renders it, say so; when it cannot be made, show why.
// Without this script the link leads to a page that waits by itself.
(function () {
  "use strict";
  var MAX_TRIES = 60;

  function show(link, text, failed) {
    var status = link.parentNode.querySelector("[data-document-status]");
    status.textContent = text;
    status.classList.toggle("document-status--failed", Boolean(failed));
  }

  function explain(link) {
    fetch(link.getAttribute("data-document-api"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var texts = [body.message || link.getAttribute("data-rendering-text")];
        Object.keys(body.fields || {}).forEach(function (key) { texts = texts.concat(body.fields[key]); });
        show(link, texts.join(" "), true);
      })
      .catch(function () { window.location.assign(link.href); })
      .then(function () { link.removeAttribute("aria-busy"); });
  }

  function ask(link, tries) {
    fetch(link.getAttribute("data-document-api"), { method: "HEAD", credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 200) {
          show(link, "");
          link.removeAttribute("aria-busy");
          window.location.assign(link.href);
        } else if (response.status === 202 && tries < MAX_TRIES) {
          show(link, link.getAttribute("data-rendering-text"));
          var seconds = parseInt(response.headers.get("Retry-After"), 10) || 2;
          window.setTimeout(function () { ask(link, tries + 1); }, seconds * 1000);
        } else {
          explain(link);
        }
      })
      .catch(function () { window.location.assign(link.href); });
  }

  document.querySelectorAll("[data-document-api]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (link.getAttribute("aria-busy") === "true") {
        return;
      }
      link.setAttribute("aria-busy", "true");
      ask(link, 0);
    });
  });
})();
