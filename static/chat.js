// The live chat in the page: the conversation over the chat API's WebSocket, or its event
// stream (what arrives) plus POST (what is sent) where a network blocks sockets; and the
// helpdesk tile's availability, updated as agents come and go. Without JavaScript the
// forms post and the pages show the same.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function text(template, arg) { return (template || "").replace("{arg}", arg); }
  function hhmm(iso) {
    var d = new Date(iso);
    if (isNaN(d)) { return ""; }
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // The tile: every channel's availability, the start form only when someone is there.
  function tile(box) {
    var form = document.getElementById("chat-start");
    var instead = document.getElementById("chat-instead");
    var summary = document.getElementById("chat-summary");
    if (form) { form.elements.page.value = document.referrer || window.location.pathname; }
    function show(now) {
      summary.className = "availability " + (now.available ? "on" : "off");
      summary.querySelector(".text").textContent = now.available ? box.dataset.on : box.dataset.off;
      (now.channels || []).forEach(function (c) {
        var item = box.querySelector('[data-channel="' + c.slug + '"]');
        if (item) {
          item.className = "availability " + (c.available ? "on" : "off");
          var state = item.querySelector(".state");
          if (state) { state.textContent = c.available ? form.dataset.available : form.dataset.unavailable; }
        }
        if (form) {
          Array.prototype.forEach.call(form.elements.channel.options, function (o) {
            if (o.value === c.slug) { o.disabled = !c.available; }
          });
        }
      });
      if (form) {
        // Typed text stays in the form while it is hidden: it is offered again when an
        // agent comes back, and the ticket form is the way meanwhile.
        form.hidden = !now.available;
        var chosen = form.elements.channel.selectedOptions[0];
        if (chosen && chosen.disabled) {
          var open = Array.prototype.find.call(form.elements.channel.options, function (o) { return !o.disabled; });
          if (open) { open.selected = true; }
        }
      }
      if (instead) { instead.hidden = !!now.available; }
    }
    var events = new EventSource("/api/v1/chat/availability/events");
    events.onmessage = function (e) {
      try { var frame = JSON.parse(e.data); } catch (_) { return; }
      if (frame.type === "availability") { show(frame); }
    };
  }

  // Links in plain text become clickable; everything else stays text.
  var URL_RE = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;
  function linkify(node, textValue) {
    node.textContent = "";
    var at = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(textValue))) {
      node.appendChild(document.createTextNode(textValue.slice(at, match.index)));
      var a = document.createElement("a");
      a.href = match[0];
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      a.textContent = match[0];
      node.appendChild(a);
      at = match.index + match[0].length;
    }
    node.appendChild(document.createTextNode(textValue.slice(at)));
  }

  // One conversation.
  function conversation(box) {
    var id = box.dataset.chat;
    var last = parseInt(box.dataset.last, 10) || 0;
    var lines = document.getElementById("chat-lines");
    var state = document.getElementById("chat-state");
    var typing = document.getElementById("chat-typing");
    var form = document.getElementById("chat-form");
    var area = form && form.elements.body;
    var socket = null, failures = 0, events = null, typingTimer = null, lastTyping = 0;
    var pending = {};

    function line(m) {
      if (m.seq <= last) { return; }
      last = m.seq;
      var li = document.createElement("li");
      li.className = "line kind-" + m.kind + (m.role === "agent" || m.role === "desk_lead" ? " from-desk" : "");
      li.dataset.seq = m.seq;
      var time = document.createElement("time");
      time.dateTime = m.at;
      time.textContent = hhmm(m.at);
      var body = document.createElement("p");
      body.className = "body";
      if (m.kind === "message" || m.kind === "file") {
        var who = document.createElement("span");
        who.className = "who";
        who.textContent = m.author;
        li.appendChild(who);
        if (m.kind === "file") { li.appendChild(document.createTextNode(" " + box.dataset.textFile + " ")); }
        if (m.kind === "file") {
          var a = document.createElement("a");
          a.href = "/api/v1/chats/" + id + "/attachments/" + m.file;
          a.textContent = m.body;
          body.appendChild(a);
        } else {
          linkify(body, m.body);
        }
      } else {
        body.className = "body system";
        var key = { joined: "textJoined", left: "textLeft", closed: "textEnded" }[m.kind];
        body.textContent = text(box.dataset[key], m.author);
      }
      li.appendChild(time);
      li.appendChild(body);
      lines.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
      typing.textContent = "";
      if (m.kind === "closed") { ended(); }
      if (m.kind === "joined" && box.dataset.status === "waiting") {
        box.dataset.status = "active";
        state.textContent = text(box.dataset.textTaken, m.author);
      }
    }

    function ended() {
      box.dataset.status = "closed";
      state.textContent = box.dataset.textClosed;
      if (form && area) { area.disabled = true; form.querySelector("button").disabled = true; }
    }

    function frame(data) {
      try { var f = JSON.parse(data); } catch (_) { return; }
      if (f.message && /^(message|joined|left|closed)$/.test(f.type)) {
        line(f.message);
      } else if (f.type === "typing") {
        typing.textContent = text(box.dataset.textTyping, f.author);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
      } else if (f.type === "position" && box.dataset.status === "waiting") {
        state.textContent = text(box.dataset.textPosition, f.position);
      } else if (f.type === "sent" && f.client_id) {
        delete pending[f.client_id];
      } else if (f.type === "error") {
        state.textContent = f.error && f.error.message ? f.error.message : (f.message || "");
        if (f.client_id && pending[f.client_id] && area && !area.value) { area.value = pending[f.client_id]; }
      }
    }

    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + "/api/v1/chats/" + id + "/ws?after=" + last);
      socket.onopen = function () { failures = 0; resend(); };
      socket.onmessage = function (e) { frame(e.data); };
      socket.onclose = function () {
        socket = null;
        if (box.dataset.status === "closed") { return; }
        failures += 1;
        // Twice refused: the network blocks sockets; the event stream then.
        if (failures >= 2) { follow(); return; }
        state.textContent = box.dataset.textOffline;
        setTimeout(connect, 1000);
      };
    }

    function follow() {
      if (events) { return; }
      events = new EventSource("/api/v1/chats/" + id + "/events?after=" + last);
      events.onmessage = function (e) { frame(e.data); };
    }

    function post(body, clientId) {
      return fetch("/api/v1/chats/" + id + "/messages", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
        body: JSON.stringify({ body: body, client_id: clientId })
      }).then(function (r) {
        return r.json().then(function (data) {
          if (r.ok) { delete pending[clientId]; if (data && data.seq) { line(data); } }
          else { frame(JSON.stringify({ type: "error", error: data.error, client_id: clientId })); }
        });
      });
    }

    // What was sent but not confirmed goes again after a reconnect: the client id makes
    // sure it is stored once.
    function resend() {
      Object.keys(pending).forEach(function (clientId) {
        socket.send(JSON.stringify({ type: "message", body: pending[clientId], client_id: clientId }));
      });
    }

    function send(body) {
      var clientId = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
      pending[clientId] = body;
      if (socket && socket.readyState === 1) {
        socket.send(JSON.stringify({ type: "message", body: body, client_id: clientId }));
      } else if (events) {
        post(body, clientId).catch(function () {});
      }
    }

    if (form && area) {
      form.addEventListener("submit", function (e) {
        var body = area.value.trim();
        if (!body || !(socket || events)) { return; }
        e.preventDefault();
        send(body);
        area.value = "";
        area.focus();
      });
      area.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          form.requestSubmit ? form.requestSubmit() : form.submit();
          return;
        }
        var now = Date.now();
        if (socket && socket.readyState === 1 && now - lastTyping > 3000) {
          lastTyping = now;
          socket.send(JSON.stringify({ type: "typing" }));
        }
      });
    }
    // Files go by the chat API, so the page (and what is typed) stays; the line comes back
    // over the socket like any other. Without fetch the form posts and the page answers.
    var filesForm = document.getElementById("chat-files");
    if (filesForm && window.fetch && window.FormData) {
      filesForm.addEventListener("submit", function (e) {
        var input = filesForm.elements.files;
        if (!input || !input.files || !input.files.length) { return; }
        e.preventDefault();
        var button = filesForm.querySelector('button[type="submit"]');
        if (button) { button.disabled = true; }
        var data = new FormData();
        Array.prototype.forEach.call(input.files, function (f) { data.append("files", f, f.name); });
        fetch("/api/v1/chats/" + id + "/attachments", {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, body: data
        }).then(function (r) {
          return r.json().then(function (answer) {
            if (r.ok) {
              filesForm.reset();
              var preview = filesForm.querySelector(".screenshot-preview");
              if (preview) { preview.hidden = true; }
              (answer.items || []).forEach(line);
            } else {
              state.textContent = answer.error && answer.error.message ? answer.error.message : "";
            }
          });
        }).catch(function () { state.textContent = box.dataset.textOffline; })
          .then(function () { if (button) { button.disabled = false; } });
      });
    }
    Array.prototype.forEach.call(lines.querySelectorAll(".kind-message .body"), function (b) { linkify(b, b.textContent); });
    if (box.dataset.status !== "closed") { connect(); }
  }

  var box = document.getElementById("chat");
  if (box) { conversation(box); }
  var availability = document.getElementById("chat-availability");
  if (availability) { tile(availability); }
})();
