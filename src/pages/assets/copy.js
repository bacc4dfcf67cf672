// The copy button of a secret link (`/me`): shown only when this script
// runs, since without it the field is still there to select by hand.
(function () {
  "use strict";
  function show() {
    document.querySelectorAll("[data-copy]").forEach(function (b) { b.hidden = false; });
  }
  function say(button) {
    var out = document.querySelector(button.getAttribute("data-copied"));
    if (out) { out.textContent = out.getAttribute("data-words"); }
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) { return; }
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { say(button); }, function () {
        if (document.execCommand("copy")) { say(button); }
      });
    } else if (document.execCommand("copy")) {
      say(button);
    }
  });
  // One tap selects the whole link, so copying by hand is easy too.
  document.addEventListener("focusin", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-select-all")) { e.target.select(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
