// The desk's keyboard shortcuts. `?` opens the cheat sheet (a modal <dialog>; Escape or its
// button closes it and the focus goes back where it was); `g` then `q` goes to the queue. In
// the queue `j`/`k` choose the next/previous ticket (its row marked, its link focused) and
// `Enter`/`o` open it, `/` jumps to the filter; on a ticket page `r` jumps to the reply box
// (#f-body). Nothing fires while typing in a field, or with Ctrl, Alt or Cmd held (Shift is
// allowed: `?`, and `/` on a German keyboard, need it). The queue's rows are replaced in
// place (static/queue.js): the chosen ticket is remembered by its number and marked again.
(function () {
  "use strict";
  var dialog = document.getElementById("shortcuts");
  var opener = document.getElementById("shortcuts-open");
  var back = null;
  var gAt = 0;
  var chosen = null;

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") { return true; }
    if (el.tagName !== "INPUT") { return false; }
    return !/^(checkbox|radio|button|submit|reset|image)$/.test(el.type);
  }

  function openSheet() {
    if (!dialog || dialog.open) { return; }
    back = document.activeElement;
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    var close = document.getElementById("shortcuts-close");
    if (close) { close.focus(); }
  }

  if (dialog) {
    dialog.addEventListener("close", function () {
      var to = back;
      back = null;
      if (to && to.focus && document.documentElement.contains(to)) { to.focus(); }
    });
  }
  if (opener && dialog) {
    opener.hidden = false;
    opener.addEventListener("click", openSheet);
  }

  function rows() {
    var all = document.querySelectorAll("#queue-results tbody tr");
    var out = [];
    for (var i = 0; i < all.length; i++) { if (all[i].querySelector("td.number")) { out.push(all[i]); } }
    return out;
  }

  function numberOf(row) {
    var cell = row.querySelector("td.number");
    return cell ? cell.textContent.trim() : null;
  }

  function rowOf(number) {
    var all = rows();
    for (var i = 0; i < all.length; i++) { if (numberOf(all[i]) === number) { return all[i]; } }
    return null;
  }

  function mark(row) {
    var all = rows();
    for (var i = 0; i < all.length; i++) { all[i].classList.remove("kbd-selected"); }
    chosen = row ? numberOf(row) : null;
    if (!row) { return; }
    row.classList.add("kbd-selected");
    var link = row.querySelector("a[href]");
    if (link) { link.focus(); }
    if (row.scrollIntoView) { row.scrollIntoView({ block: "nearest" }); }
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var at = all.indexOf(rowOf(chosen));
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    mark(all[next]);
  }

  function openChosen() {
    var row = rowOf(chosen);
    var link = row && row.querySelector("a[href]");
    if (link) { window.location.href = link.href; }
    return !!link;
  }

  // The rows were replaced: the same ticket is marked again (queue.js focuses its link
  // again); a ticket that left the queue is no longer chosen.
  document.addEventListener("queue:updated", function () {
    if (!chosen) { return; }
    var row = rowOf(chosen);
    if (row) { row.classList.add("kbd-selected"); } else { chosen = null; }
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) { return; }
    if (typing(e.target) || (dialog && dialog.open)) { return; }
    var key = e.key;
    var afterG = gAt && Date.now() - gAt < 1500;
    gAt = 0;
    if (afterG && key === "q") {
      e.preventDefault();
      window.location.href = "/desk";
      return;
    }
    if (key === "?") {
      e.preventDefault();
      openSheet();
      return;
    }
    if (key === "g") {
      gAt = Date.now();
      return;
    }
    if (document.getElementById("queue-results")) {
      if (key === "j" || key === "k") {
        e.preventDefault();
        move(key === "j" ? 1 : -1);
        return;
      }
      // Enter on a link or button does what it always does; on the page itself it opens
      // the chosen ticket.
      var onPage = e.target === document.body || e.target === document.getElementById("main");
      if ((key === "o" || (key === "Enter" && onPage)) && chosen) {
        if (openChosen()) { e.preventDefault(); }
        return;
      }
      if (key === "/") {
        var form = document.querySelector("form.filters");
        var field = form && form.querySelector("input[type=search], input[type=text], select");
        if (field) {
          e.preventDefault();
          field.focus();
        }
        return;
      }
    }
    if (key === "r" && /^\/desk\/tickets\//.test(window.location.pathname)) {
      var reply = document.getElementById("f-body");
      if (reply) {
        e.preventDefault();
        reply.focus();
      }
    }
  });
})();
