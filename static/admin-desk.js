// The review desk: keyboard shortcuts for the decision and the queue, and a viewer that shows every
// material full size, zoomed and rotated (phone scans arrive sideways).
(function () {
  "use strict";

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "checkbox"));
  }

  function setUpViewer() {
    var dialog = document.querySelector("[data-viewer]");
    if (!dialog) return null;
    var image = dialog.querySelector("[data-viewer-image]");
    var title = dialog.querySelector("[data-viewer-title]");
    var links = Array.prototype.slice.call(document.querySelectorAll("a.review-file"));
    var state = { index: 0, zoom: 1, turn: 0 };

    function draw() {
      image.style.transform = "rotate(" + state.turn + "deg) scale(" + state.zoom + ")";
    }
    function show(index) {
      state.index = (index + links.length) % links.length;
      state.zoom = 1;
      state.turn = 0;
      var link = links[state.index];
      image.src = link.href;
      image.alt = link.querySelector("img").alt;
      title.textContent = image.alt + " (" + (state.index + 1) + "/" + links.length + ")";
      draw();
      if (!dialog.open) dialog.showModal();
    }
    var actions = {
      previous: function () { show(state.index - 1); },
      next: function () { show(state.index + 1); },
      "zoom-in": function () { state.zoom = Math.min(state.zoom * 1.25, 6); draw(); },
      "zoom-out": function () { state.zoom = Math.max(state.zoom / 1.25, 0.25); draw(); },
      "rotate-left": function () { state.turn -= 90; draw(); },
      "rotate-right": function () { state.turn += 90; draw(); },
      close: function () { dialog.close(); }
    };
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(index);
      });
    });
    dialog.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-viewer-do");
      if (action) actions[action]();
    });
    var keys = { ArrowLeft: "previous", ArrowRight: "next", "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", q: "rotate-left", e: "rotate-right" };
    dialog.addEventListener("keydown", function (event) {
      var action = keys[event.key];
      if (action) {
        event.preventDefault();
        actions[action]();
      }
    });
    return dialog;
  }

  function setUpDesk(viewer) {
    var desk = document.querySelector("[data-desk]");
    if (!desk) return;
    var form = desk.querySelector("[data-desk-form]");
    function go(selector) {
      var link = desk.querySelector(selector);
      if (link) window.location.href = link.href;
    }
    function press(selector) {
      var button = form && form.querySelector(selector);
      if (!button) return;
      if (selector === "[data-desk-reject]" && !form.querySelector("[data-desk-reason]:checked")) {
        var first = form.querySelector("[data-desk-reason]");
        if (first) first.focus();
        return;
      }
      form.requestSubmit(button);
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (viewer && viewer.open) return;
      var key = event.key.toLowerCase();
      if (key === "j") go("[data-desk-next]");
      else if (key === "k") go("[data-desk-previous]");
      else if (key === "a") press("[data-desk-approve]");
      else if (key === "r") press("[data-desk-reject]");
      else if (/^[1-9]$/.test(key) && form) {
        var reason = form.querySelector('[data-desk-reason="' + key + '"]');
        if (reason) reason.checked = !reason.checked;
      } else return;
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDesk(setUpViewer());
  });
})();
