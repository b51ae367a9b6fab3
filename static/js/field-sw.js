// Field mode service worker: keeps each trip's field page and the console's own files on the
// phone, so the page opens in a hamlet without signal. Served from /trips/ (its scope); it
// answers only field pages and /static/ files, and leaves every other request alone.
// A trip's copy holds residents' names and needs, so it is kept only until the server's
// X-Field-Keep-Until (the night after the trip) and dropped as soon as the server refuses
// the page (signed out, no such trip). Signing out clears everything (Clear-Site-Data).
"use strict";

var VERSION = "field-v2";
var KEEP_UNTIL = "X-Field-Keep-Until";
var PAGES = VERSION + "-pages";
var FILES = VERSION + "-files";
var FIELD_PAGE = /^\/trips\/\d+\/field$/;
var STATIC_FILES = [
  "/static/css/staff.css",
  "/static/js/staff.js",
  "/static/js/field.js",
  "/static/field-manifest.json",
  "/static/icons/field.svg",
  "/static/fonts/noto-sans-latin-wght-normal.woff2",
  "/static/fonts/noto-sans-vietnamese-wght-normal.woff2",
  "/static/fonts/noto-sans-latin-wght-italic.woff2",
  "/static/fonts/noto-sans-vietnamese-wght-italic.woff2",
  "/static/fonts/noto-sans-mono-latin-wght-normal.woff2",
  "/static/fonts/noto-sans-mono-vietnamese-wght-normal.woff2"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(FILES).then(function (cache) { return cache.addAll(STATIC_FILES); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(VERSION) !== 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(dropFinishedTrips).then(function () { return self.clients.claim(); })
  );
});

function stillWanted(response) {
  var until = Date.parse(response.headers.get(KEEP_UNTIL) || "");
  return !isNaN(until) && Date.now() < until;
}

// Keep a field page the server sent, or drop the copy when the server no longer gives it.
function keepOrDrop(path, response) {
  return caches.open(PAGES).then(function (cache) {
    if (response.ok && response.type === "basic" && stillWanted(response)) {
      return cache.put(path, response).then(function () { return true; });
    }
    var refused = response.type === "opaqueredirect" || (response.status >= 300 && response.status < 500);
    var over = response.ok && !stillWanted(response);
    return (refused || over ? cache.delete(path) : Promise.resolve()).then(function () { return false; });
  });
}

// Drop every kept trip whose day is over; run whenever the worker wakes.
function dropFinishedTrips() {
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (kept) {
          if (!kept || !stillWanted(kept)) { return cache.delete(request); }
        });
      }));
    });
  });
}

// A field page: the network first (fresh statuses), the copy on the phone when there is none.
function fieldPage(request, path) {
  return fetch(request).then(function (response) {
    keepOrDrop(path, response.clone());
    return response;
  }).catch(function () {
    return dropFinishedTrips().then(function () {
      return caches.open(PAGES).then(function (cache) { return cache.match(path); });
    }).then(function (kept) {
      return kept || new Response(
        "<!doctype html><meta charset=utf-8><title>Offline</title>" +
        "<p>Chưa lưu chuyến này trên điện thoại. Mở khi có sóng. / " +
        "This trip is not saved on the phone. Open it with signal on the day of the trip.</p>",
        {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}
      );
    });
  });
}

// The console's files: the copy on the phone first, refreshed from the network when possible.
function staticFile(request, path) {
  return caches.open(FILES).then(function (cache) {
    return cache.match(path).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(path, response.clone()); }
        return response;
      });
      if (kept) {
        fresh.catch(function () { /* no signal: the kept copy serves */ });
        return kept;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (FIELD_PAGE.test(url.pathname)) {
    event.respondWith(fieldPage(request, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(request, url.pathname));
  }
});

// The page asks for itself to be kept, since the visit that installs the worker is not seen.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.keep && FIELD_PAGE.test(data.keep)) {
    event.waitUntil(
      dropFinishedTrips().then(function () {
        return fetch(data.keep, {credentials: "same-origin", redirect: "manual"});
      }).then(function (response) {
        return keepOrDrop(data.keep, response);
      }).then(function (kept) {
        if (event.source) { event.source.postMessage(kept ? {kept: data.keep} : {notKept: data.keep}); }
      })
    );
  }
});
