// On every desk page: keeps the agent's presence (a heartbeat that says whether they used
// this tab since the last one; several tabs count as one person), shows the chat requests
// waiting for them in the header, and — if they switched it on — tells of a new request
// with a browser notification and a short tone.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var badge = document.getElementById("chat-badge");
  var live = document.getElementById("desk-live");
  if (!badge) { return; }
  // One id per page: a page's goodbye can never end the session of the page that follows
  // it in the same tab (their requests may cross). The desk counts all of them as one person.
  var session = "p" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  var used = true;
  ["keydown", "pointerdown", "mousemove", "scroll", "focus"].forEach(function (kind) {
    window.addEventListener(kind, function () { used = true; }, { passive: true });
  });
  function send(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).catch(function () {});
  }
  function beat() {
    send("/api/v1/chat/presence/heartbeat", { session: session, input: used && !document.hidden });
    used = false;
  }
  beat();
  setInterval(beat, 20000);
  window.addEventListener("pagehide", function () { send("/api/v1/chat/presence/leave", { session: session }); });
  // Signing out ends the session the goodbye needs: say it first, then sign out.
  var logout = document.querySelector('form[action="/logout"]');
  if (logout) {
    logout.addEventListener("submit", function (e) {
      e.preventDefault();
      var done = function () { logout.submit(); };
      send("/api/v1/chat/presence/leave", { session: session }).then(done, done);
      setTimeout(done, 1500);
    }, { once: true });
  }

  // Alerts are the agent's choice, kept in this browser.
  var notify = document.getElementById("alert-notify");
  var sound = document.getElementById("alert-sound");
  function setting(box, key) {
    if (!box) { return; }
    box.checked = localStorage.getItem(key) === "on";
    box.addEventListener("change", function () {
      localStorage.setItem(key, box.checked ? "on" : "off");
      if (box.checked && key === "staffel-notify" && window.Notification && Notification.permission === "default") {
        Notification.requestPermission();
      }
    });
  }
  setting(notify, "staffel-notify");
  setting(sound, "staffel-sound");
  function tone() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    try {
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.4);
    } catch (_) {}
  }
  function alert(chat) {
    var who = (chat.school_name ? chat.school_name + " – " : "") + chat.requester.name;
    live.textContent = badge.dataset.request.replace("{arg}", who);
    if (localStorage.getItem("staffel-sound") === "on") { tone(); }
    if (localStorage.getItem("staffel-notify") === "on" && window.Notification && Notification.permission === "granted") {
      var n = new Notification(badge.dataset.title, { body: who, tag: "staffel-chat-" + chat.id });
      n.onclick = function () { window.focus(); window.location.href = "/desk/chats/" + chat.id; };
    }
  }

  // The presence switch in the header: the state the desk sees, chosen here on any page.
  var presence = document.getElementById("presence-switch");
  if (presence) {
    presence.addEventListener("change", function () {
      fetch("/api/v1/chat/presence", {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ state: presence.value })
      }).catch(function () {});
    });
  }
  function showState(state) {
    if (!presence || !state) { return; }
    presence.value = state;
    presence.parentNode.hidden = false;
  }

  var requests = {};
  var list = document.getElementById("chat-requests");
  function render() {
    var ids = Object.keys(requests);
    badge.textContent = ids.length;
    badge.hidden = ids.length === 0;
    if (!list) { return; }
    list.textContent = "";
    ids.forEach(function (id) {
      var chat = requests[id];
      var li = document.createElement("li");
      li.dataset.chat = id;
      var a = document.createElement("a");
      a.href = "/desk/chats/" + id;
      a.textContent = (chat.school_name ? chat.school_name + " – " : "") + chat.requester.name;
      li.appendChild(a);
      if (chat.channel) {
        var hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = " " + chat.channel.name;
        li.appendChild(hint);
      }
      list.appendChild(li);
    });
    var empty = document.getElementById("chat-requests-empty");
    if (empty) { empty.hidden = ids.length > 0; }
  }
  var people = document.getElementById("chat-people");
  function showPeople(all) {
    if (!people || !all) { return; }
    people.textContent = "";
    all.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "state-" + p.state;
      var dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-hidden", "true");
      li.appendChild(dot);
      li.appendChild(document.createTextNode(" " + p.name + " "));
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = (people.dataset["state" + p.state.charAt(0).toUpperCase() + p.state.slice(1)] || p.state);
      li.appendChild(hint);
      people.appendChild(li);
    });
  }
  var events = new EventSource("/api/v1/chat/desk/events");
  events.onmessage = function (e) {
    try { var f = JSON.parse(e.data); } catch (_) { return; }
    if (f.type === "snapshot") {
      requests = {};
      (f.requests || []).forEach(function (c) { requests[c.id] = c; });
      showPeople(f.people);
      showState(f.state);
    } else if (f.type === "request" && f.chat) {
      var fresh = !requests[f.chat.id];
      requests[f.chat.id] = f.chat;
      if (fresh) { alert(f.chat); }
    } else if ((f.type === "taken" || f.type === "closed") && f.chat) {
      delete requests[f.chat];
      // A chat that ended elsewhere (the school closed it) shows so in the tabs at once.
      var tab = f.type === "closed" && document.querySelector('.chat-tabs li[data-chat="' + f.chat + '"]');
      if (tab) { tab.className = "ended"; }
    } else if (f.type === "presence") {
      showPeople(f.people);
      (f.people || []).forEach(function (p) { if (String(p.id) === badge.dataset.me) { showState(p.state); } });
    }
    render();
  };
})();
