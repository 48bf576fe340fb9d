// Canned responses in the desk's text boxes: typing "::" and a trigger in any
// textarea[data-canned] offers the matching texts in a small listbox under it; Tab or Enter
// (or a click) replaces "::trigger" with the text, the arrow keys choose, Escape closes the
// list. The texts are read from /desk/canned.json once per box's ticket, when first needed:
// a box whose data-canned names a ticket (T-000123) gets them with that ticket's
// placeholders ({ticket}, {schule} …) filled by the server. Without JavaScript the page
// /desk/canned lets an agent copy them.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !document.addEventListener) { return; }
  var source = script.getAttribute("data-source");
  var label = script.getAttribute("data-label") || "";
  var hintText = script.getAttribute("data-hint") || "";
  var insertedText = script.getAttribute("data-inserted") || "";
  var MAX = 8;

  var bySource = {};   // source address -> the promise of its texts
  var area = null;     // the textarea the list belongs to
  var box = null;      // the listbox, while open
  var matches = [];
  var active = -1;
  var serial = 0;

  function sourceOf(el) {
    var ticket = el.getAttribute("data-canned");
    return ticket ? source + "?ticket=" + encodeURIComponent(ticket) : source;
  }

  function load(el) {
    var from = sourceOf(el);
    if (!bySource[from]) {
      bySource[from] = fetch(from, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { return Array.isArray(list) ? list : []; })
        .catch(function () { delete bySource[from]; return []; });
    }
    return bySource[from];
  }

  function isCanned(el) {
    return !!(el && el.tagName === "TEXTAREA" && el.hasAttribute("data-canned"));
  }

  // The "::word" just before the caret (at the start or after a space, so "std::fmt" or a
  // URL is no trigger), or null.
  function typed(el) {
    if (el.selectionStart !== el.selectionEnd) { return null; }
    var before = el.value.slice(0, el.selectionStart);
    var m = /(^|\s)::([A-Za-z0-9-]*)$/.exec(before);
    if (!m) { return null; }
    return { start: before.length - m[2].length - 2, word: m[2].toLowerCase() };
  }

  // Triggers that start with the word first, then those whose trigger or title holds it.
  function find(word, texts) {
    var first = [];
    var then = [];
    texts.forEach(function (c) {
      var trigger = String(c.trigger || "");
      var title = String(c.title || "").toLowerCase();
      if (trigger.indexOf(word) === 0) { first.push(c); }
      else if (word && (trigger.indexOf(word) > 0 || title.indexOf(word) >= 0)) { then.push(c); }
    });
    return first.concat(then).slice(0, MAX);
  }

  function close() {
    if (box && box.parentNode) { box.parentNode.removeChild(box); }
    box = null;
    matches = [];
    active = -1;
    if (area) {
      area.removeAttribute("aria-activedescendant");
      area.removeAttribute("aria-controls");
    }
  }

  function optionId(i) { return box.id + "-" + i; }

  function mark() {
    if (!box) { return; }
    var options = box.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) { options[i].setAttribute("aria-selected", i === active ? "true" : "false"); }
    if (active >= 0) {
      area.setAttribute("aria-activedescendant", optionId(active));
      var chosen = document.getElementById(optionId(active));
      if (chosen && chosen.scrollIntoView) { chosen.scrollIntoView({ block: "nearest" }); }
    } else {
      area.removeAttribute("aria-activedescendant");
    }
  }

  function render() {
    if (!matches.length) { close(); return; }
    if (!box) {
      box = document.createElement("ul");
      box.id = "canned-options-" + (++serial);
      box.className = "suggestions canned-suggestions";
      box.setAttribute("role", "listbox");
      box.setAttribute("aria-label", label);
      area.insertAdjacentElement("afterend", box);
      area.setAttribute("aria-controls", box.id);
    }
    box.innerHTML = "";
    matches.forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = optionId(i);
      li.setAttribute("role", "option");
      var trigger = document.createElement("span");
      trigger.className = "trigger";
      trigger.textContent = "::" + c.trigger;
      li.appendChild(trigger);
      li.appendChild(document.createTextNode(String(c.title || "")));
      // The textarea keeps the focus (and the caret) while an option is clicked.
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { choose(i); });
      box.appendChild(li);
    });
    mark();
  }

  function update() {
    var at = typed(area);
    if (!at) { close(); return; }
    var asked = area;
    load(asked).then(function (texts) {
      if (area !== asked) { return; }  // another box took over meanwhile
      var now = typed(area);
      if (!now) { close(); return; }
      matches = find(now.word, texts);
      // With a word typed its best match is ready for Tab; a bare "::" waits for the arrows.
      active = matches.length && now.word ? 0 : -1;
      render();
    });
  }

  function announce(text) {
    var live = document.getElementById("desk-live");
    if (live) { live.textContent = text; }
  }

  function choose(i) {
    var c = matches[i];
    var at = area && typed(area);
    if (!c || !at) { close(); return; }
    var end = area.selectionStart;
    var body = String(c.body || "");
    if (area.setRangeText) {
      area.setRangeText(body, at.start, end, "end");
    } else {
      area.value = area.value.slice(0, at.start) + body + area.value.slice(end);
      area.selectionStart = area.selectionEnd = at.start + body.length;
    }
    close();
    // Other scripts (drafts, typing notices) hear of the change as of any typing.
    area.dispatchEvent(new Event("input", { bubbles: true }));
    announce(insertedText.replace("{arg}", String(c.title || c.trigger)));
  }

  // Tells a screen reader, once per box, that "::" offers canned responses.
  function describe(el) {
    if (!hintText || el.getAttribute("data-canned-described")) { return; }
    var hint = document.getElementById("canned-hint");
    if (!hint) {
      hint = document.createElement("span");
      hint.id = "canned-hint";
      hint.hidden = true;
      hint.textContent = hintText;
      document.body.appendChild(hint);
    }
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids.push("canned-hint");
    el.setAttribute("aria-describedby", ids.join(" "));
    el.setAttribute("aria-autocomplete", "list");
    el.setAttribute("data-canned-described", "1");
  }

  document.addEventListener("focusin", function (e) {
    if (isCanned(e.target)) { describe(e.target); load(e.target); }
  });

  document.addEventListener("input", function (e) {
    if (!isCanned(e.target)) { return; }
    if (area && area !== e.target) { close(); }
    area = e.target;
    update();
  }, true);

  // Capturing, so that a list that is open takes its keys before the box's own handlers
  // (the chat sends on Enter).
  document.addEventListener("keydown", function (e) {
    if (!box || e.target !== area) { return; }
    var handled = true;
    if (e.key === "ArrowDown") {
      active = (active + 1) % matches.length;
      mark();
    } else if (e.key === "ArrowUp") {
      active = active <= 0 ? matches.length - 1 : active - 1;
      mark();
    } else if (e.key === "Escape") {
      close();
    } else if ((e.key === "Tab" || e.key === "Enter") && active >= 0 && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
      choose(active);
    } else {
      handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);

  // Moving the caret away from the trigger closes the list; back onto one opens it.
  document.addEventListener("keyup", function (e) {
    if (isCanned(e.target) && /^(ArrowLeft|ArrowRight|Home|End)$/.test(e.key)) { area = e.target; update(); }
  });
  document.addEventListener("focusout", function (e) {
    if (e.target === area) { close(); }
  });
})();
