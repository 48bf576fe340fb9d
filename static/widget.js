// Staffel's support widget: <script src="https://STAFFEL/widget.js" async></script> on
// another site shows a "Support" button with the live availability and opens the support
// dialog on Staffel's own origin in a window of its own (browsers give framed pages no
// cookies, so only a first-party window knows its reader). The page passes context as
// data-context-NAME attributes on this tag and through Staffel.open({context: {...}}); an
// integration that knows its reader may put a signed assertion in data-assertion. Nothing
// shows when Staffel does not answer for this origin (it is not configured).
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || window.Staffel) { return; }
  var base = new URL(tag.src).origin, data = tag.dataset, assertion = data.assertion || "";
  var button = null, state = null, popup = null;

  function tagContext() {
    var out = {};
    Object.keys(data).forEach(function (k) {
      if (/^context[A-Z]/.test(k) && data[k] !== "") { out[k.charAt(7).toLowerCase() + k.slice(8)] = data[k]; }
    });
    return out;
  }

  function open(options) {
    var context = tagContext(), extra = (options && options.context) || {};
    Object.keys(extra).forEach(function (k) { if (extra[k] !== null && extra[k] !== "") { context[k] = String(extra[k]); } });
    // The page's address without its query and fragment: those may hold a session id.
    var q = new URLSearchParams({ origin: location.origin, page: location.origin + location.pathname });
    if (Object.keys(context).length) { q.set("context", JSON.stringify(context)); }
    var path = "/widget?";
    // An assertion is good once: the session it starts carries the later openings.
    if (assertion) { q.set("assertion", assertion); assertion = ""; path = "/widget/session?"; }
    var url = base + path + q.toString();
    popup = window.open(url, "staffel-support", "popup,width=520,height=760");
    if (!popup) { location.assign(url); }
    return popup;
  }

  function show(status) {
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "staffel-support";
      button.setAttribute("aria-haspopup", "dialog");
      var s = button.style;
      s.font = "600 15px/1.2 system-ui, sans-serif"; s.padding = "10px 16px"; s.borderRadius = "20px";
      s.border = "1px solid #1f2328"; s.background = "#fff"; s.color = "#1f2328"; s.cursor = "pointer";
      state = document.createElement("span");
      state.setAttribute("aria-hidden", "true");
      var d = state.style;
      d.display = "inline-block"; d.width = d.height = "10px"; d.borderRadius = "50%"; d.marginRight = "8px";
      button.appendChild(state);
      button.appendChild(document.createElement("span"));
      button.addEventListener("click", function () { open(); });
      var target = data.target && document.querySelector(data.target);
      if (target) { target.appendChild(button); } else {
        s.position = "fixed"; s.right = "16px"; s.bottom = "16px"; s.zIndex = "2147483000";
        document.body.appendChild(button);
      }
    }
    button.lastChild.textContent = status.label;
    button.title = status.state;
    button.setAttribute("aria-label", status.label + ": " + status.state);
    button.setAttribute("data-available", status.available ? "true" : "false");
    state.style.background = status.available ? "#1a7f37" : "#6e7781";
  }

  function refresh() {
    fetch(base + "/widget/status.json", { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) { if (status) { show(status); } })
      .catch(function () {});
  }

  // Only the dialog this page opened, on Staffel's origin, is listened to.
  window.addEventListener("message", function (e) {
    if (e.origin !== base || e.source !== popup || !e.data || e.data.type !== "staffel:open") { return; }
    if (button) { button.setAttribute("aria-expanded", "true"); }
  });

  window.Staffel = { open: open, refresh: refresh };
  function start() { refresh(); setInterval(refresh, Math.max(10, Number(data.refresh) || 30) * 1000); }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
