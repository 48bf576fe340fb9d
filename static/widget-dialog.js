// The support dialog tells the page that opened it that it is open, and only a page of the
// origin the dialog was opened for (one Staffel is configured to be embedded by); it never
// posts to "*", since the opener may have navigated elsewhere meanwhile.
(function () {
  "use strict";
  var origin = document.body.getAttribute("data-origin");
  if (!origin || !window.opener) { return; }
  try { window.opener.postMessage({ type: "staffel:open" }, origin); } catch (e) { /* the opener is gone */ }
})();
