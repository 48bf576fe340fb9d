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
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }

  function numbers(root) {
    var seen = {};
    var links = root.querySelectorAll("#queue-results tbody tr td:first-child a");
    for (var i = 0; i < links.length; i++) { seen[links[i].textContent] = true; }
    return seen;
  }

  function announce(fresh) {
    var text;
    if (fresh === 1) { text = live.getAttribute("data-new-one"); }
    else if (fresh > 1) { text = live.getAttribute("data-new-many").replace("{n}", String(fresh)); }
    else { text = live.getAttribute("data-updated"); }
    live.textContent = text;
  }

  function swap(next) {
    var before = numbers(document);
    var focused = document.activeElement;
    var focusHref = focused && focused.tagName === "A" ? focused.getAttribute("href") : null;
    ["queue-counts", "queue-results"].forEach(function (id) {
      var here = document.getElementById(id);
      var there = next.getElementById(id);
      if (here && there) { here.innerHTML = there.innerHTML; }
    });
    if (focusHref) {
      var again = document.querySelector('a[href="' + focusHref.replace(/"/g, '\\"') + '"]');
      if (again) { again.focus(); }
    }
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
