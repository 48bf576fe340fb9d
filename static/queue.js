// Live queue: polls the desk's change stamp and reloads the page when tickets changed,
// unless the agent is busy in a form field. Without JavaScript the page is a plain list.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var stamp = live.getAttribute("data-stamp");
  var url = live.getAttribute("data-changes");
  function busy() {
    var el = document.activeElement;
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  setInterval(function () {
    if (document.hidden || busy()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.stamp !== stamp) { window.location.reload(); } })
      .catch(function () {});
  }, 15000);
})();
