// Search-as-you-type for every form with data-suggest: a combobox whose list is
// navigable with the arrow keys, Enter opens the chosen article. Escape closes an open list
// and keeps the query (a second Escape, list closed, clears the box as a search box does);
// ↓ opens the list again. An option is text, not a link: a link inside role=option would be
// a control inside a control. Without JavaScript the form is a plain GET search.
(function () {
  "use strict";
  document.querySelectorAll("form[data-suggest]").forEach(function (form) {
    var input = form.querySelector("[role=combobox]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.id + "-status");
    var endpoint = form.getAttribute("data-suggest");
    var active = -1, timer = null, seq = 0, last = [];

    function close() {
      list.hidden = true; list.innerHTML = ""; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (el, n) { el.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && items[i]) { input.setAttribute("aria-activedescendant", items[i].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }
    function show(hits) {
      last = hits;
      list.innerHTML = "";
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.setAttribute("data-url", hit.url); li.textContent = hit.title;
        // Articles are written in German: in the English UI a screen reader reads them so.
        if (document.documentElement.lang !== "de") { li.lang = "de"; }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); window.location = hit.url; });
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      if (status) { status.textContent = hits.length ? hits.length + " ✓" : ""; }
      active = -1;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { last = []; close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(endpoint + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) { if (mine === seq) { show(hits); } })
          .catch(function () { close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.hidden ? [] : list.querySelectorAll("[role=option]");
      if (e.key === "ArrowDown" && !items.length && last.length) { e.preventDefault(); show(last); mark(0); }
      else if (e.key === "ArrowDown" && items.length) { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter" && active >= 0 && items[active]) { e.preventDefault(); window.location = items[active].getAttribute("data-url"); }
      else if (e.key === "Escape" && !list.hidden) { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();
