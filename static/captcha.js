// 换一张: a new captcha picture and key from django-simple-captcha, without reloading the page, so
// that everything already typed in the form stays where it is.
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var button = box.querySelector("[data-captcha-refresh]");
    if (!button || button.dataset.bound) {
      return;
    }
    button.dataset.bound = "1";
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch(box.dataset.refreshUrl, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (fresh) {
          box.querySelector("img").src = fresh.image_url;
          box.querySelector('input[type="hidden"]').value = fresh.key;
          var answer = box.querySelector('input[type="text"]');
          answer.value = "";
          answer.focus();
        })
        .catch(function () {})
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
