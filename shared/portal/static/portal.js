// Progressive enhancement for the portal: every page works without it.
(function () {
  "use strict";

  // Copy buttons: data-copy names the element whose text is copied. They
  // stay hidden where there is no script or no clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        button.textContent = "Copy failed: select the text";
      });
    });
  });

  // "All events" makes the individual types moot: grey them out.
  document.querySelectorAll("[data-all-events]").forEach(function (toggle) {
    var types = toggle.closest("form").querySelector("[data-event-types]");
    if (!types) return;
    var sync = function () {
      types.classList.toggle("disabled", toggle.checked);
      types.querySelectorAll("input").forEach(function (i) { i.disabled = toggle.checked; });
    };
    toggle.addEventListener("change", sync);
    sync();
  });

  // A page showing a new secret answered a POST (create, rotate): its
  // address becomes the endpoint's page, so a reload shows that page
  // instead of sending the form again (a second webhook, or a second
  // rotation that drops the secret the endpoint still uses).
  var shown = document.querySelector("[data-replace-url]");
  if (shown && window.history.replaceState) {
    window.history.replaceState(null, "", shown.getAttribute("data-replace-url"));
  }

    // Filters apply on change; their submit button stays for keyboards and no-script.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
