// The desk ticket page: the reply box's radios become tabs whose label, hint and button
// follow the chosen mode (fields that do not belong to it are hidden and not sent), the
// text survives the page's other forms, and a resolve or recall asks inline before it is
// sent. Without this script the page works the
// same: the server asks for the confirmation instead.
(function () {
  "use strict";
  var box = document.getElementById("reply-box");

  // Asks inside the form before a post that ends something; "yes" sends it with
  // confirm=1 through the same button, so its name and value (close=1) go along.
  function confirmable(form, needsAsking, prepare) {
    var panel = form.querySelector(".inline-confirm");
    var field = form.querySelector('input[name="confirm"]');
    if (!panel || !field) { return; }
    var pending = null;
    form.addEventListener("submit", function (e) {
      if (field.value === "1" || !needsAsking(e.submitter)) { return; }
      e.preventDefault();
      pending = e.submitter || null;
      if (prepare) { prepare(pending); }
      panel.hidden = false;
      panel.querySelector("[data-yes]").focus();
    });
    panel.querySelector("[data-yes]").addEventListener("click", function () {
      field.value = "1";
      if (form.requestSubmit) { form.requestSubmit(pending); } else { form.submit(); }
    });
    panel.querySelector("[data-no]").addEventListener("click", function () {
      panel.hidden = true;
      field.value = "";
      if (pending) { pending.focus(); }
    });
  }

  document.querySelectorAll("form.recall[data-confirmable]").forEach(function (form) {
    confirmable(form, function () { return true; });
  });

  if (!box) { return; }
  box.classList.add("tabs");
  var label = document.getElementById("f-body-label");
  var hint = document.getElementById("f-body-hint");
  var send = document.getElementById("box-send");
  var close = document.getElementById("box-close");
  var question = document.getElementById("box-confirm-q");

  function mode() {
    var chosen = box.querySelector('input[name="mode"]:checked');
    return chosen ? chosen.value : "reply";
  }

  function follow() {
    var m = mode();
    box.className = box.className.replace(/\bmode-\w+/, "") + " mode-" + m;
    if (label.dataset[m]) { label.textContent = label.dataset[m]; }
    if (hint.dataset[m]) { hint.textContent = hint.dataset[m]; }
    if (send.dataset[m]) { send.textContent = send.dataset[m]; }
    // What does not belong to the mode is hidden and disabled, so it is not sent.
    box.querySelectorAll("[data-modes]").forEach(function (part) {
      var on = part.dataset.modes.split(" ").indexOf(m) >= 0;
      part.hidden = !on;
      part.querySelectorAll("input, select, button").forEach(function (el) { el.disabled = !on; });
      if (part.matches("button")) { part.disabled = !on; }
    });
    var panel = box.querySelector(".inline-confirm");
    if (panel) { panel.hidden = true; }
  }

  // The text is kept in this tab while it is typed: another form of the page (assign,
  // priority, forward), refused or not, reloads the page without it. The box's own post
  // takes it along (and a refused one comes back with it), so sending clears the draft.
  var body = document.getElementById("f-body");
  var key = "staffel-draft:" + location.pathname;
  function keep() {
    try {
      if (body.value.trim()) {
        sessionStorage.setItem(key, JSON.stringify({ mode: mode(), body: body.value }));
      } else {
        sessionStorage.removeItem(key);
      }
    } catch (_) {}
  }
  try {
    var draft = JSON.parse(sessionStorage.getItem(key) || "null");
    if (draft && !body.value) {
      body.value = draft.body;
      var radio = document.getElementById("mode-" + draft.mode);
      if (radio) { radio.checked = true; }
    }
  } catch (_) {}
  body.addEventListener("input", keep);

  box.querySelectorAll('input[name="mode"]').forEach(function (radio) {
    radio.addEventListener("change", function () { follow(); keep(); });
  });
  follow();

  confirmable(box, function (submitter) {
    return submitter === close || mode() === "resolve";
  }, function (submitter) {
    question.textContent = submitter === close ? question.dataset.close : question.dataset.resolve;
  });
  // After the confirmation's handler: a post it held back for asking keeps the draft.
  box.addEventListener("submit", function (e) {
    if (e.defaultPrevented) { return; }
    try { sessionStorage.removeItem(key); } catch (_) {}
  });
})();
