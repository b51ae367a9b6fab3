// Voice prompts page: record a prompt with the microphone, listen, retake or save.
// Without a microphone (or without script) the upload form beside it still works.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices) return;
  var news = document.getElementById("prompt-news");

  function say(text) {
    if (news) news.textContent = text;
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  function setup(box) {
    var start = box.querySelector(".record-start");
    var stop = box.querySelector(".record-stop");
    var take = box.querySelector(".record-take");
    var save = box.querySelector(".record-save");
    var again = box.querySelector(".record-again");
    var recorder = null, chunks = [], blob = null, stream = null;
    show(box, true);

    function idle(hasTake) {
      show(start, !hasTake);
      show(stop, false);
      show(take, hasTake);
      show(save, hasTake);
      show(again, hasTake);
    }

    function begin() {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (media) {
        stream = media;
        chunks = [];
        recorder = new MediaRecorder(media);
        recorder.ondataavailable = function (event) {
          if (event.data && event.data.size) chunks.push(event.data);
        };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
          take.src = URL.createObjectURL(blob);
          idle(true);
          save.focus();
        };
        recorder.start();
        show(start, false);
        show(again, false);
        show(save, false);
        show(take, false);
        show(stop, true);
        stop.focus();
        say(stop.textContent);
      }).catch(function () {
        say(box.closest(".prompt-card").querySelector("input[type=file]") ? "🎤 ✕" : "");
      });
    }

    start.addEventListener("click", begin);
    again.addEventListener("click", begin);
    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    });
    save.addEventListener("click", function () {
      if (!blob) return;
      var form = new FormData();
      var extension = (blob.type.indexOf("ogg") >= 0) ? "ogg" : "webm";
      form.append("audio", blob, "take." + extension);
      form.append("csrf_token", box.dataset.csrf);
      save.disabled = true;
      fetch(box.dataset.url, {
        method: "POST",
        body: form,
        headers: { "Accept": "application/json", "X-CSRFToken": box.dataset.csrf },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) {
          say(data.message);
          if (response.ok) window.setTimeout(function () { window.location.reload(); }, 1500);
        });
      }).catch(function () { say("✕"); }).then(function () { save.disabled = false; });
    });
    idle(false);
  }

  document.querySelectorAll(".recorder").forEach(setup);
})();
