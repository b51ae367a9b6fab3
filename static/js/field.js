// Field mode: record visit results on the phone, keep them in IndexedDB, send them when the
// connection returns. Each result gets an idempotency key when the officer taps, so sending it
// twice (a lost answer, a reload mid-sync) changes nothing on the server.
(function () {
  "use strict";

  var root = document.getElementById("field");
  if (!root) { return; }
  var tripId = Number(root.getAttribute("data-trip-id"));
  var resultsUrl = root.getAttribute("data-results-url");
  var tokenUrl = root.getAttribute("data-token-url");
  var keepUntil = root.getAttribute("data-keep-until");
  var loginUrl = root.getAttribute("data-login-url");
  var stateLine = document.getElementById("sync-state");
  var words = JSON.parse(stateLine.getAttribute("data-words"));
  var syncButton = document.getElementById("sync-now");
  var syncing = false;

  // Storage ------------------------------------------------------------------------------
  var DB_NAME = "hamlet-field";
  var STORE = "results";

  function openStore() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, {keyPath: "key"});
        store.createIndex("trip", "trip_id");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openStore().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function save(item) { return withStore("readwrite", function (s) { return s.put(item); }); }

  function tripResults() {
    return withStore("readonly", function (s) { return s.index("trip").getAll(tripId); })
      .then(function (items) {
        return (items || []).sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
      });
  }

  // Results already with the office are only kept while their trip's page is: residents'
  // words do not stay on the phone after the day. Unsent ones stay until they are sent.
  function dropFinished() {
    var now = Date.now();
    return withStore("readwrite", function (s) {
      var cursor = s.openCursor();
      cursor.onsuccess = function () {
        var at = cursor.result;
        if (!at) { return; }
        var item = at.value;
        var until = Date.parse(item.keep_until || "");
        if (item.state !== "unsent" && !(now < until)) { at.delete(); }
        at.continue();
      };
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Showing what is and is not sent ---------------------------------------------------------
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  function cardFor(requestId) {
    return root.querySelector('.visit-card[data-request-id="' + requestId + '"]');
  }

  // A card lists every result kept for its visit, oldest first: what was entered (the result,
  // the note's own words) and whether it has reached the office.
  function itemText(item) {
    var text = words[item.result];
    if (item.note) { text += ": \u201c" + item.note + "\u201d"; }
    text += " \u2014 ";
    if (item.state === "unsent") { text += words.saved_here; }
    else if (item.state === "refused") { text += words.refused + " " + (item.message || ""); }
    else { text += item.message || words.sent; }
    return text;
  }

  function showCard(requestId, items) {
    var card = cardFor(requestId);
    if (!card) { return; }
    var line = card.querySelector(".local-state");
    line.textContent = "";
    var list = document.createElement("ul");
    list.className = "kept-results";
    items.forEach(function (item) {
      var entry = document.createElement("li");
      entry.className = "kept-" + item.state;
      entry.textContent = itemText(item);
      list.appendChild(entry);
    });
    line.appendChild(list);
    items.forEach(function (item) {
      var badge = card.querySelector(".server-status .badge");
      if (item.status_label && badge) {
        badge.textContent = item.status_label;
        badge.className = "badge status-" + item.status;
      }
    });
    var unsent = items.some(function (i) { return i.state === "unsent"; });
    card.classList.toggle("unsent", unsent);
    card.classList.toggle("kept", items.some(function (i) { return i.outcome === "kept_as_note"; }));
    if (items.some(function (i) { return i.result !== "note"; })) {
      card.querySelectorAll('[data-result="visited"], [data-result="unreachable"]').forEach(function (b) {
        b.disabled = true;
      });
    }
  }

  function byVisit(items) {
    var grouped = {};
    items.forEach(function (item) {
      (grouped[item.request_id] = grouped[item.request_id] || []).push(item);
    });
    return grouped;
  }

  function showSummary(items) {
    // The team counts visits, not taps: a visit with a result and a note is one visit.
    var unsent = Object.keys(byVisit(items.filter(function (i) { return i.state === "unsent"; }))).length;
    var text;
    if (syncing) { text = words.sending; }
    else if (unsent) { text = fill(words.unsent, {count: unsent}); }
    else { text = words.all_sent; }
    if (!navigator.onLine) { text = words.offline + " " + text; }
    stateLine.textContent = text;
    stateLine.closest(".sync").classList.toggle("has-unsent", unsent > 0);
    syncButton.hidden = unsent === 0;
  }

  function refresh() {
    return tripResults().then(function (items) {
      var grouped = byVisit(items);
      Object.keys(grouped).forEach(function (requestId) { showCard(requestId, grouped[requestId]); });
      showSummary(items);
      return items;
    });
  }

  // Recording ------------------------------------------------------------------------------
  function record(card, result, note) {
    var item = {
      key: newKey(),
      trip_id: tripId,
      request_id: Number(card.getAttribute("data-request-id")),
      result: result,
      note: note || "",
      recorded_at: new Date().toISOString(),
      keep_until: keepUntil,
      state: "unsent"
    };
    return save(item).then(refresh).then(sync);
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var card = button.closest(".visit-card");
    if (!card) { return; }
    var confirmBox = card.querySelector(".confirm-box");
    var noteBox = card.querySelector(".note-box");
    var result = button.getAttribute("data-result");
    if (result === "visited") {
      // "Visited" thanks the resident by SMS: ask once more before it is recorded.
      confirmBox.querySelector(".confirm-text").textContent =
        fill(words.confirm_visited, {name: card.getAttribute("data-name")});
      confirmBox.hidden = false;
      noteBox.hidden = true;
      confirmBox.querySelector("[data-confirm-yes]").focus();
    } else if (result === "unreachable") {
      record(card, "unreachable", "");
    } else if (result === "note") {
      noteBox.hidden = false;
      confirmBox.hidden = true;
      noteBox.querySelector("textarea").focus();
    } else if (button.hasAttribute("data-confirm-yes")) {
      confirmBox.hidden = true;
      record(card, "visited", "");
    } else if (button.hasAttribute("data-confirm-no")) {
      confirmBox.hidden = true;
    } else if (button.hasAttribute("data-note-save")) {
      var field = noteBox.querySelector("textarea");
      if (!field.value.trim()) { field.focus(); return; }
      record(card, "note", field.value.trim());
      field.value = "";
      noteBox.hidden = true;
    } else if (button.hasAttribute("data-note-cancel")) {
      noteBox.hidden = true;
    }
  });

  // Sending ------------------------------------------------------------------------------
  function freshToken() {
    return fetch(tokenUrl, {credentials: "same-origin", cache: "no-store", redirect: "manual"})
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) { throw new Error("login"); }
        if (!response.ok) { throw new Error("offline"); }
        return response.json();
      })
      .then(function (body) { return body.csrf_token; });
  }

  function send(item, token) {
    return fetch(resultsUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({
        key: item.key, request_id: item.request_id, result: item.result,
        note: item.note, recorded_at: item.recorded_at
      })
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) { throw new Error("login"); }
      if (response.status >= 500) { throw new Error("offline"); }
      // A refusal may come from before the app (a proxy, a size limit) as HTML: still a refusal.
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          item.state = "sent";
          item.outcome = body.outcome;
          item.message = body.message;
          item.status = body.status;
          item.status_label = body.status_label;
        } else {
          // Refused for good (unreadable, unknown visit): kept and shown, never retried.
          item.state = "refused";
          item.message = body.error || String(response.status);
        }
        return save(item);
      });
    });
  }

  function sync() {
    if (syncing || !navigator.onLine) { return refresh(); }
    return tripResults().then(function (items) {
      var unsent = items.filter(function (i) { return i.state === "unsent"; });
      if (!unsent.length) { return refresh(); }
      syncing = true;
      showSummary(items);
      return freshToken().then(function (token) {
        // One at a time, in the order they were recorded: the office reads them in that order.
        return unsent.reduce(function (chain, item) {
          return chain.then(function () { return send(item, token); });
        }, Promise.resolve());
      }).catch(function (error) {
        if (error.message === "login") {
          stateLine.textContent = words.login;
          var link = document.createElement("a");
          link.href = loginUrl;
          link.textContent = " →";
          stateLine.appendChild(link);
        }
      }).then(function () {
        syncing = false;
        return refresh();
      });
    });
  }

  syncButton.addEventListener("click", sync);
  window.addEventListener("online", sync);
  window.addEventListener("offline", refresh);
  // Signal in the hamlets comes and goes without an "online" event: try again every 30 s.
  setInterval(sync, 30000);

  // The service worker keeps this trip and the console's files on the phone for offline use.
  function offlineReady() {
    var ready = document.getElementById("offline-ready");
    ready.textContent = words.offline_ready;
    ready.hidden = false;
    root.setAttribute("data-offline-ready", "yes");
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.kept === location.pathname) { offlineReady(); }
      if (event.data && event.data.notKept === location.pathname) {
        var ready = document.getElementById("offline-ready");
        ready.textContent = words.not_kept;
        ready.hidden = false;
        root.setAttribute("data-offline-ready", "no");
      }
    });
    navigator.serviceWorker.register(root.getAttribute("data-worker-url")).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (navigator.onLine && registration.active) {
        registration.active.postMessage({keep: location.pathname});
      } else if (!navigator.onLine) {
        offlineReady();
      }
    }).catch(function () { /* Field mode still works online without it. */ });
  }

  dropFinished().then(refresh).then(sync);
})();
