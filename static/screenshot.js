// Screenshot capture for forms with a file input: where the browser offers
// navigator.mediaDevices.getDisplayMedia, a button takes one frame of the screen, window or
// tab the person picks, turns it into a PNG and adds it to the form's file input (through
// DataTransfer), with a preview and its name. Without it the button stays hidden and the
// file input works as always.
(function () {
  "use strict";
  var md = navigator.mediaDevices;
  if (!md || typeof md.getDisplayMedia !== "function" || typeof DataTransfer !== "function") { return; }

  function stamp() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + "-" + two(d.getHours()) + two(d.getMinutes()) + two(d.getSeconds());
  }

  function grab(stream) {
    return new Promise(function (resolve, reject) {
      var video = document.createElement("video");
      video.muted = true; video.playsInline = true; video.srcObject = stream;
      video.onloadedmetadata = function () {
        video.play().then(function () {
          // One animation frame later the first picture is really there.
          requestAnimationFrame(function () {
            var canvas = document.createElement("canvas");
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            canvas.getContext("2d").drawImage(video, 0, 0);
            stream.getTracks().forEach(function (track) { track.stop(); });
            resolve(canvas);
          });
        }, reject);
      };
    });
  }

  document.querySelectorAll("button[data-screenshot]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-screenshot"));
    if (!input) { return; }
    var status = document.getElementById(input.id + "-shot-status");
    var preview = document.getElementById(input.id + "-shot-preview");
    var hint = button.parentNode.querySelector("[data-screenshot-hint]");
    button.hidden = false;
    if (hint) { hint.hidden = false; }

    button.addEventListener("click", function () {
      md.getDisplayMedia({ video: true, audio: false }).then(grab).then(function (canvas) {
        canvas.toBlob(function (blob) {
          if (!blob) { status.textContent = button.getAttribute("data-failed"); return; }
          var file = new File([blob], "bildschirmfoto-" + stamp() + ".png", { type: "image/png" });
          var all = new DataTransfer();
          Array.prototype.forEach.call(input.files, function (f) { all.items.add(f); });
          all.items.add(file);
          input.files = all.files;
          // A data: URL, since the page's policy allows images only from itself and data:.
          preview.src = canvas.toDataURL("image/png");
          preview.alt = file.name;
          preview.hidden = false;
          status.textContent = button.getAttribute("data-added") + " " + file.name;
        }, "image/png");
      }).catch(function (e) {
        // Cancelling the browser's picker is no error worth a message.
        if (e && e.name === "NotAllowedError") { return; }
        status.textContent = button.getAttribute("data-failed");
      });
    });
  });
})();
