// Live queue: the desk's feed (/desk/events) says when tickets changed, on any instance;
// the page then reads itself again and swaps its counts and rows in place, keeping the
// focus where it was and announcing new tickets in the live region. Nothing changes while
// the agent is busy in a form field (the swap waits until they leave it). Without
// JavaScript the page is a plain list; without event streams it asks every 15 s.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var stamp = live.getAttribute("data-stamp");
  var pending = false;
  var reading = false;

  function busy() {
    var el = document.activeElement;
    if (!el) { return false; }
    // A ticked box is kept and focused again after the swap; typing and choosing are not.
    if (el.tagName === "INPUT" && el.type === "checkbox" && el.closest("#queue-results")) { return false; }
    return el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA";
  }

  function numbers(root) {
    var seen = {};
    var cells = root.querySelectorAll("#queue-results td.number");
    for (var i = 0; i < cells.length; i++) { seen[cells[i].textContent.trim()] = true; }
    return seen;
  }

  function announce(fresh) {
    var text;
    if (fresh === 1) { text = live.getAttribute("data-new-one"); }
    else if (fresh > 1) { text = live.getAttribute("data-new-many").replace("{n}", String(fresh)); }
    else { text = live.getAttribute("data-updated"); }
    live.textContent = text;
  }

  function checkedTickets() {
    var picked = {};
    var boxes = document.querySelectorAll("#queue-results input[name=tickets]:checked");
    for (var i = 0; i < boxes.length; i++) { picked[boxes[i].value] = true; }
    return picked;
  }

  function swap(next) {
    var before = numbers(document);
    var picked = checkedTickets();
    var focused = document.activeElement;
    var focusHref = focused && focused.tagName === "A" ? focused.getAttribute("href") : null;
    var focusBox = focused && focused.name === "tickets" ? focused.value : null;
    ["queue-counts", "queue-results"].forEach(function (id) {
      var here = document.getElementById(id);
      var there = next.getElementById(id);
      if (here && there) { here.innerHTML = there.innerHTML; }
    });
    if (focusBox) {
      var box = document.querySelector('#queue-results input[name=tickets][value="' + focusBox.replace(/"/g, '') + '"]');
      if (box) { box.focus(); }
    }
    if (focusHref) {
      var again = document.querySelector('a[href="' + focusHref.replace(/"/g, '\\"') + '"]');
      if (again) { again.focus(); }
    }
    // What the agent had ticked for a bulk action stays ticked.
    var boxes = document.querySelectorAll("#queue-results input[name=tickets]");
    for (var b = 0; b < boxes.length; b++) { boxes[b].checked = !!picked[boxes[b].value]; }
    selectAll();
    // Others marking rows (the keyboard's chosen ticket, static/shortcuts.js) mark them again.
    document.dispatchEvent(new CustomEvent("queue:updated"));
    var after = numbers(document);
    var fresh = 0;
    for (var n in after) { if (!before[n]) { fresh++; } }
    announce(fresh);
  }

  function refresh() {
    if (busy() || document.hidden) { pending = true; return; }
    if (reading) { pending = true; return; }
    reading = true;
    pending = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        reading = false;
        if (html === null) { return; }
        var next = new DOMParser().parseFromString(html, "text/html");
        var nextLive = next.getElementById("live");
        if (nextLive) { stamp = nextLive.getAttribute("data-stamp"); }
        swap(next);
        live.setAttribute("data-stamp", stamp);
        if (pending) { refresh(); }
      })
      .catch(function () { reading = false; });
  }

  function changed(newStamp) {
    if (newStamp && newStamp !== stamp) { refresh(); }
  }

  // "Select all on this page": shown only where a script can tick the boxes.
  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) { return; }
    all.hidden = false;
    all.onchange = function () {
      var boxes = document.querySelectorAll("#queue-results input[name=tickets]");
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
    };
  }
  selectAll();

  document.addEventListener("focusout", function () { setTimeout(function () { if (pending) { refresh(); } }, 0); });
  document.addEventListener("visibilitychange", function () { if (pending) { refresh(); } });

  if (window.EventSource) {
    var feed = new EventSource(live.getAttribute("data-events"));
    feed.onmessage = function (e) {
      try { changed(JSON.parse(e.data).stamp); } catch (err) { /* not ours */ }
    };
  } else {
    setInterval(function () {
      fetch(live.getAttribute("data-changes"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { changed(data.stamp); } })
        .catch(function () {});
    }, 15000);
  }
})();
