// The desk lead's list of canned responses: a delete asks inside its own form first; "yes"
// sends it with confirm=1. Without this script the server asks on the page instead.
(function () {
  "use strict";
  document.querySelectorAll("form.canned-delete").forEach(function (form) {
    var panel = form.querySelector(".inline-confirm");
    var field = form.querySelector('input[name="confirm"]');
    var ask = form.querySelector('button[type="submit"]');
    if (!panel || !field || !ask) { return; }
    form.addEventListener("submit", function (e) {
      if (field.value === "1") { return; }
      e.preventDefault();
      panel.hidden = false;
      panel.querySelector("[data-yes]").focus();
    });
    panel.querySelector("[data-yes]").addEventListener("click", function () {
      field.value = "1";
      form.submit();
    });
    panel.querySelector("[data-no]").addEventListener("click", function () {
      panel.hidden = true;
      ask.focus();
    });
  });
})();
