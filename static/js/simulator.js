// Phone simulator: the page side of a feature phone. The server signs every request as Twilio
// would and posts it to the real webhooks; this script only shows, speaks and collects keys.
"use strict";

(function () {
  const root = document.querySelector("main.sim");
  if (!root) return;
  const API = root.dataset.api;
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const POLL_MS = 4000;
  const MAX_RECORD_S = 120;

  const $ = (id) => document.getElementById(id);
  const ui = {
    numberForm: $("number-form"), resident: $("resident"), phone: $("phone"), who: $("who"),
    modeSms: $("mode-sms"), modeCall: $("mode-call"),
    smsScreen: $("sms-screen"), callScreen: $("call-screen"),
    thread: $("thread"), refresh: $("refresh"), smsForm: $("sms-form"), body: $("body"),
    send: $("send"), smsStatus: $("sms-status"),
    callState: $("call-state"), callTimer: $("call-timer"), callLog: $("call-log"),
    countdown: $("countdown"), recordPanel: $("record-panel"), recordMic: $("record-mic"),
    recordSample: $("record-sample"), recordStatus: $("record-status"), speak: $("speak"),
    call: $("call"), hangup: $("hangup"),
  };

  const state = { phone: "", mode: "sms", lastThread: "", pollTimer: null };
  const call = {
    sid: "", active: false, run: 0, startedAt: 0, clock: null,
    gather: null, record: null, audio: null,
  };

  // ---------- server ----------

  async function api(path, { method = "GET", json, form } = {}) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") options.headers["X-CSRFToken"] = CSRF;
    if (json) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(json);
    } else if (form) {
      options.body = form;
    }
    const response = await fetch(API + path, options);
    let data = {};
    try { data = await response.json(); } catch (_) { data = {}; }
    if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
    return data;
  }

  // ---------- number and thread ----------

  function setStatus(element, text, isError) {
    element.textContent = text || "";
    element.classList.toggle("error", Boolean(isError));
  }

  function renderThread(data) {
    state.phone = data.phone;
    ui.phone.value = data.display;
    ui.who.textContent = data.name ? data.display + " · " + data.name : data.display;
    const key = JSON.stringify(data.messages);
    if (key === state.lastThread) return;
    state.lastThread = key;
    ui.thread.replaceChildren();
    if (!data.messages.length) {
      const empty = document.createElement("li");
      empty.className = "hint";
      empty.textContent = "Chưa có tin nhắn. Nhắn HEN để xin tổ lưu động đến nhà. / No messages yet: text HEN to book a home visit.";
      ui.thread.append(empty);
    }
    for (const message of data.messages) {
      const item = document.createElement("li");
      item.className = "bubble " + (message.direction === "in" ? "mine" : "theirs");
      item.dataset.direction = message.direction;
      item.dataset.status = message.status;
      const body = document.createElement("p");
      body.textContent = message.body;
      const meta = document.createElement("small");
      // The server words a delivery status (from app.lifecycle); the page only shows it.
      meta.textContent = message.time + (message.note ? " · " + message.note : "");
      item.append(body, meta);
      ui.thread.append(item);
    }
    ui.thread.scrollTop = ui.thread.scrollHeight;
  }

  async function loadThread(showErrors) {
    const raw = ui.phone.value.trim();
    if (!raw) return false;
    try {
      renderThread(await api("/thread?phone=" + encodeURIComponent(raw)));
      setStatus(ui.smsStatus, "");
      return true;
    } catch (error) {
      if (showErrors) {
        state.phone = "";
        ui.who.textContent = "";
        setStatus(ui.smsStatus, error.message, true);
      }
      return false;
    }
  }

  function startPolling() {
    clearInterval(state.pollTimer);
    state.pollTimer = setInterval(() => {
      if (state.phone && state.mode === "sms" && !document.hidden) loadThread(false);
    }, POLL_MS);
  }

  ui.resident.addEventListener("change", () => {
    if (!ui.resident.value) return;
    ui.phone.value = ui.resident.value;
    state.lastThread = "";
    loadThread(true);
  });
  ui.numberForm.addEventListener("submit", (event) => {
    event.preventDefault();
    state.lastThread = "";
    loadThread(true);
  });
  ui.phone.addEventListener("change", () => { state.lastThread = ""; loadThread(true); });
  ui.refresh.addEventListener("click", () => loadThread(true));

  ui.smsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = ui.body.value;
    if (!body.trim()) { ui.body.focus(); return; }
    if (!ui.phone.value.trim()) { setStatus(ui.smsStatus, "Nhập số điện thoại trước. / Enter a number first.", true); ui.phone.focus(); return; }
    ui.send.disabled = true;
    setStatus(ui.smsStatus, "Đang gửi… / Sending…");
    try {
      const data = await api("/sms", { method: "POST", json: { phone: ui.phone.value, body } });
      ui.body.value = "";
      renderThread(data);
      setStatus(ui.smsStatus, data.replies.length ? "" : "Không có trả lời ngay. / No inline reply.");
    } catch (error) {
      setStatus(ui.smsStatus, error.message, true);
    } finally {
      ui.send.disabled = false;
    }
  });
  ui.body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ui.smsForm.requestSubmit(); }
  });

  // ---------- modes ----------

  function setMode(mode) {
    state.mode = mode;
    ui.smsScreen.hidden = mode !== "sms";
    ui.callScreen.hidden = mode !== "call";
    ui.modeSms.setAttribute("aria-pressed", String(mode === "sms"));
    ui.modeCall.setAttribute("aria-pressed", String(mode === "call"));
    if (mode === "sms" && state.phone) loadThread(false);
  }
  ui.modeSms.addEventListener("click", () => setMode("sms"));
  ui.modeCall.addEventListener("click", () => setMode("call"));

  // ---------- call: speech and audio ----------

  let voices = [];
  function loadVoices() { voices = window.speechSynthesis ? speechSynthesis.getVoices() : []; }
  if (window.speechSynthesis) {
    loadVoices();
    speechSynthesis.addEventListener("voiceschanged", loadVoices);
  }
  function voiceFor(language) {
    const prefix = (language || "vi-VN").toLowerCase().split("-")[0];
    return voices.find((v) => v.lang.toLowerCase() === (language || "").toLowerCase()) ||
      voices.find((v) => v.lang.toLowerCase().startsWith(prefix)) || null;
  }
  function stopSound() {
    if (window.speechSynthesis) speechSynthesis.cancel();
    if (call.audio) { call.audio.pause(); call.audio = null; }
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function logLine(kind, text) {
    const item = document.createElement("li");
    item.className = "line " + kind;
    item.textContent = text;
    ui.callLog.append(item);
    ui.callLog.scrollTop = ui.callLog.scrollHeight;
    return item;
  }

  function say(step) {
    logLine("say", step.text);
    const voice = ui.speak.checked ? voiceFor(step.language) : null;
    // No voice for the language (common in headless or minimal browsers): show the text only.
    if (!voice || !step.text) return Promise.resolve();
    return new Promise((resolve) => {
      let left = step.loop || 1;
      const done = () => { clearTimeout(guard); resolve(); };
      // Some engines never fire "end"; do not let the call hang on them.
      const guard = setTimeout(done, 2000 + 500 * step.text.split(/\s+/).length * left);
      const speakOnce = () => {
        const utterance = new SpeechSynthesisUtterance(step.text);
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = 0.9;
        utterance.onend = () => { left -= 1; if (left > 0) speakOnce(); else done(); };
        utterance.onerror = done;
        speechSynthesis.speak(utterance);
      };
      speakOnce();
    });
  }

  function play(step) {
    logLine("play", "♪ " + step.url);
    if (!ui.speak.checked) return Promise.resolve();
    return new Promise((resolve) => {
      const audio = new Audio(step.url);
      call.audio = audio;
      const done = () => { clearTimeout(guard); resolve(); };
      const guard = setTimeout(done, 60000);
      audio.addEventListener("ended", done);
      audio.addEventListener("error", done);
      audio.play().catch(done);
    });
  }

  // ---------- call: the TwiML player ----------

  function setCallState(text) { ui.callState.textContent = text; }
  function tickClock() {
    const seconds = Math.floor((Date.now() - call.startedAt) / 1000);
    ui.callTimer.textContent = String(Math.floor(seconds / 60)).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
  }

  async function execute(data) {
    const token = ++call.run;
    const steps = data.steps;
    call.path = data.path;
    for (let index = 0; index < steps.length; index++) {
      if (token !== call.run || !call.active) return;
      const step = steps[index];
      if (step.verb === "say") {
        await say(step);
      } else if (step.verb === "play") {
        await play(step);
      } else if (step.verb === "pause") {
        await sleep(step.length * 1000);
      } else if (step.verb === "gather") {
        const digits = await gather(step, token);
        if (digits === null) return;
        if (digits !== "") { await next(step.action, step.method, digits); return; }
        logLine("note", "(Không bấm phím / no key pressed)");
        // Twilio falls through to the verb after <Gather>, normally a <Redirect>.
      } else if (step.verb === "redirect") {
        await next(step.url, step.method);
        return;
      } else if (step.verb === "record") {
        startRecord(step);
        return;
      } else if (step.verb === "hangup") {
        endCall("Tổng đài đã gác máy / The service hung up");
        return;
      } else if (step.verb === "dial") {
        logLine("note", "Chuyển máy tới " + step.number + " (không mô phỏng / not simulated)");
        endCall("Đã chuyển máy / Transferred");
        return;
      } else {
        logLine("note", "<" + step.verb + "> (không mô phỏng / not simulated)");
      }
    }
    if (token === call.run && call.active) endCall("Hết lời thoại, cuộc gọi kết thúc / No more verbs: call ended");
  }

  async function next(path, method, digits) {
    if (!call.active) return;
    setCallState("Đang xử lý… / Working…");
    try {
      const payload = { phone: state.phone, call_sid: call.sid, path, method };
      if (digits !== undefined) payload.digits = digits;
      const data = await api("/call/step", { method: "POST", json: payload });
      setCallState("Đang gọi / In call");
      await execute(data);
    } catch (error) {
      logLine("error", error.message);
      endCall("Lỗi / Error");
    }
  }

  function gather(step, token) {
    return new Promise((resolve) => {
      const g = { step, digits: "", resolve, remaining: 0, timer: null, typed: false };
      call.gather = g;
      setKeypad(true);
      setCallState("Bấm phím / Press a key");
      (async () => {
        for (const child of step.children) {
          if (call.gather !== g || g.typed || token !== call.run) return;
          if (child.verb === "say") await say(child);
          else if (child.verb === "play") await play(child);
          else if (child.verb === "pause") await sleep(child.length * 1000);
        }
        if (call.gather === g && !g.typed) startCountdown(g);
      })();
    });
  }

  function startCountdown(g) {
    clearInterval(g.timer);
    g.remaining = g.step.timeout;
    showCountdown(g);
    g.timer = setInterval(() => {
      g.remaining -= 1;
      if (g.remaining <= 0) finishGather(g);
      else showCountdown(g);
    }, 1000);
  }
  function showCountdown(g) {
    ui.countdown.hidden = false;
    ui.countdown.textContent = "Còn " + g.remaining + " giây để bấm phím / " + g.remaining + " s left" +
      (g.digits ? " · " + g.digits : "");
  }
  function finishGather(g) {
    if (call.gather !== g) return;
    clearInterval(g.timer);
    call.gather = null;
    ui.countdown.hidden = true;
    setKeypad(false);
    g.resolve(g.digits);
  }
  function cancelGather() {
    const g = call.gather;
    if (!g) return;
    clearInterval(g.timer);
    call.gather = null;
    ui.countdown.hidden = true;
    g.resolve(null);
  }

  function pressKey(key) {
    if (state.mode === "sms") {
      ui.body.value += key;
      return;
    }
    const g = call.gather;
    if (!call.active || !g) return;
    if (!g.typed) { g.typed = true; stopSound(); }  // a key press interrupts the prompt
    logLine("key", "☎ " + key);
    if (key === g.step.finish_on_key) { finishGather(g); return; }
    g.digits += key;
    if (g.step.num_digits && g.digits.length >= g.step.num_digits) { finishGather(g); return; }
    startCountdown(g);
  }

  function setKeypad(listening) {
    root.classList.toggle("listening", listening);
  }

  // ---------- call: recording ----------

  function startRecord(step) {
    call.record = { step, recorder: null, chunks: [], started: 0, timer: null };
    ui.recordPanel.hidden = false;
    setStatus(ui.recordStatus, step.play_beep ? "♪ bíp / beep" : "");
    setCallState("Ghi âm lời nhắn / Recording");
    ui.recordMic.disabled = !(navigator.mediaDevices && window.MediaRecorder);
    ui.recordSample.disabled = false;
  }

  async function uploadClip(blob, seconds) {
    const r = call.record;
    if (!r) return;
    ui.recordMic.disabled = true;
    ui.recordSample.disabled = true;
    setStatus(ui.recordStatus, "Đang gửi ghi âm… / Uploading…");
    const form = new FormData();
    form.append("phone", state.phone);
    form.append("call_sid", call.sid);
    form.append("action", r.step.action);
    form.append("method", r.step.method);
    form.append("max_length", String(r.step.max_length));
    form.append("status_callback", r.step.status_callback);
    form.append("status_callback_method", r.step.status_callback_method);
    if (blob) {
      form.append("clip", blob, "clip");
      form.append("duration", String(seconds));
    }
    try {
      const data = await api("/call/record", { method: "POST", form });
      call.record = null;
      ui.recordPanel.hidden = true;
      logLine("note", "● Đã gửi ghi âm / Recording sent");
      await execute(data);
    } catch (error) {
      setStatus(ui.recordStatus, error.message, true);
      ui.recordSample.disabled = false;
    }
  }

  ui.recordSample.addEventListener("click", () => uploadClip(null, 0));

  ui.recordMic.addEventListener("click", async () => {
    const r = call.record;
    if (!r) return;
    if (r.recorder) { r.recorder.stop(); return; }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const recorder = new MediaRecorder(stream);
      r.recorder = recorder;
      r.started = Date.now();
      recorder.addEventListener("dataavailable", (event) => r.chunks.push(event.data));
      recorder.addEventListener("stop", () => {
        clearInterval(r.timer);
        stream.getTracks().forEach((track) => track.stop());
        const seconds = Math.max(1, Math.round((Date.now() - r.started) / 1000));
        uploadClip(new Blob(r.chunks, { type: recorder.mimeType }), seconds);
      });
      recorder.start();
      ui.recordMic.textContent = "Dừng và gửi / Stop and send";
      const limit = Math.min(r.step.max_length || MAX_RECORD_S, MAX_RECORD_S);
      r.timer = setInterval(() => {
        const elapsed = Math.round((Date.now() - r.started) / 1000);
        setStatus(ui.recordStatus, "● " + elapsed + " / " + limit + " s");
        if (elapsed >= limit) recorder.stop();
      }, 500);
    } catch (error) {
      setStatus(ui.recordStatus, "Không dùng được micro; hãy gửi đoạn mẫu. / Microphone unavailable: send the sample clip.", true);
    }
  });

  // ---------- call: start and end ----------

  async function startCall() {
    if (call.active) return;
    if (!ui.phone.value.trim()) { setStatus(ui.smsStatus, "Nhập số điện thoại trước. / Enter a number first.", true); ui.phone.focus(); return; }
    setMode("call");
    ui.callLog.replaceChildren();
    ui.recordPanel.hidden = true;
    ui.recordMic.textContent = "Ghi âm từ micro / Record from microphone";
    setCallState("Đang đổ chuông… / Ringing…");
    call.active = true;
    call.sid = "";
    call.startedAt = Date.now();
    ui.call.disabled = true;
    ui.hangup.disabled = false;
    try {
      const data = await api("/call", { method: "POST", json: { phone: ui.phone.value } });
      call.sid = data.call_sid;
      state.phone = data.phone;
      call.startedAt = Date.now();
      tickClock();
      call.clock = setInterval(tickClock, 1000);
      root.classList.add("in-call");
      setCallState("Đang gọi / In call");
      await execute(data);
    } catch (error) {
      logLine("error", error.message);
      endCall("Lỗi / Error");
    }
  }

  function endCall(reason) {
    if (!call.active) return;
    call.active = false;
    call.run += 1;
    cancelGather();
    stopSound();
    const r = call.record;
    if (r && r.recorder && r.recorder.state !== "inactive") { r.chunks = []; r.recorder.stop(); }
    call.record = null;
    clearInterval(call.clock);
    root.classList.remove("in-call", "listening");
    ui.recordPanel.hidden = true;
    ui.countdown.hidden = true;
    ui.call.disabled = false;
    ui.hangup.disabled = true;
    setCallState(reason || "Bạn đã gác máy / You hung up");
    logLine("end", "— Kết thúc cuộc gọi / Call ended —");
    if (call.sid) {
      const seconds = Math.round((Date.now() - call.startedAt) / 1000);
      api("/call/hangup", { method: "POST", json: { phone: state.phone, call_sid: call.sid, duration: seconds } })
        .catch(() => {});
    }
  }

  ui.call.addEventListener("click", startCall);
  ui.hangup.addEventListener("click", () => endCall(null));

  // ---------- keypad ----------

  for (const button of document.querySelectorAll(".key")) {
    button.addEventListener("click", () => pressKey(button.dataset.key));
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    if (state.mode === "call" && /^[0-9*#]$/.test(event.key)) {
      event.preventDefault();
      pressKey(event.key);
    }
  });

  startPolling();
})();
