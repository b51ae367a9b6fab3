// Staff console behaviour. Loaded as a file (the CSP forbids inline script); every page works
// without it, this only adds the live SMS counter, print buttons and confirmations.
(function () {
  "use strict";

  // GSM 03.38 basic set and extension table, as in app/texts.py.
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "^{}\\[]~|€\f";
  var LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201c": "\"", "\u201d": "\"",
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " "};

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  var lang = root.lang || "vi";

  // On a phone the header folds: the Menu button opens and closes the navigation.
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      var open = !menu.classList.contains("open");
      menu.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var WORDS = {
    vi: {
      chars: "ký tự", sms: "tin nhắn",
      long: "Dài hơn một tin nhắn: nên rút gọn.",
      ok: "Vừa một tin nhắn."
    },
    en: {
      chars: "characters", sms: "SMS",
      long: "Longer than one SMS: shorten it if you can.",
      ok: "Fits one SMS."
    }
  };
  var words = WORDS[lang] || WORDS.vi;

  function stripDiacritics(text) {
    var out = text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "");
    Object.keys(LOOKALIKES).forEach(function (fancy) {
      out = out.split(fancy).join(LOOKALIKES[fancy]);
    });
    return out.normalize("NFC");
  }

  function unaccented(text) {
    var plain = stripDiacritics(text);
    var kept = "";
    for (var i = 0; i < plain.length; i++) {
      var ch = plain[i];
      if (BASIC.indexOf(ch) >= 0 || EXTENSION.indexOf(ch) >= 0) { kept += ch; }
    }
    return kept.replace(/[ \t]+/g, " ").trim();
  }

  function segments(text) {
    var units = 0;
    for (var i = 0; i < text.length; i++) {
      units += EXTENSION.indexOf(text[i]) >= 0 ? 2 : 1;
    }
    if (units === 0) { return {units: 0, count: 0}; }
    return {units: units, count: units <= 160 ? 1 : Math.ceil(units / 153)};
  }

  function updateCounter(field, output) {
    var raw = field.value;
    // An empty box sends nothing: the commune's prefix alone is not a message.
    var body = raw.trim() ? unaccented((field.getAttribute("data-sms-prefix") || "") + raw) : "";
    var info = segments(body);
    // Accents are expected (the SMS drops them on its own), so only the length is a warning.
    var parts = [info.units + " " + words.chars + ", " + info.count + " " + words.sms + "."];
    parts.push(info.count > 1 ? words.long : words.ok);
    output.textContent = parts.join(" ");
    output.classList.toggle("over", info.count > 1);
  }

  document.querySelectorAll("[data-sms-counter]").forEach(function (field) {
    var output = document.getElementById(field.getAttribute("data-sms-counter"));
    if (!output) { return; }
    field.addEventListener("input", function () { updateCounter(field, output); });
    updateCounter(field, output);
  });

  // The reply preview comes in place, under the box, without reloading the page; without
  // script (or if the request fails) the button posts the form and the page comes back with it.
  document.querySelectorAll("[data-preview-url]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var target = document.getElementById(button.getAttribute("data-preview-target"));
      if (button.getAttribute("data-plain") || !window.fetch || !window.FormData || !target) { return; }
      event.preventDefault();
      fetch(button.getAttribute("data-preview-url"), {
        method: "POST", body: new FormData(button.form), credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        target.innerHTML = html;
        target.classList.toggle("empty-preview", !html.trim());
        target.scrollIntoView({block: "nearest"});
      }).catch(function () {
        button.setAttribute("data-plain", "1");
        button.click();
      });
    });
  });

  // A chart wider than the phone shows its latest weeks first; older ones are a swipe away.
  document.querySelectorAll(".chart-scroll").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Signing out clears field mode's results from the phone (Clear-Site-Data): say so first
  // when some were never sent.
  function unsentFieldResults() {
    var listed = indexedDB.databases ? indexedDB.databases() : Promise.resolve([{name: "hamlet-field"}]);
    return listed.then(function (found) {
      if (!found.some(function (d) { return d.name === "hamlet-field"; })) { return 0; }
      return new Promise(function (resolve) {
        var open = indexedDB.open("hamlet-field");
        open.onerror = function () { resolve(0); };
        open.onsuccess = function () {
          var db = open.result;
          if (!db.objectStoreNames.contains("results")) { db.close(); resolve(0); return; }
          var all = db.transaction("results").objectStore("results").getAll();
          all.onsuccess = function () {
            db.close();
            resolve(all.result.filter(function (i) { return i.state === "unsent"; }).length);
          };
          all.onerror = function () { db.close(); resolve(0); };
        };
      });
    }).catch(function () { return 0; });
  }

  document.querySelectorAll("form[data-unsent-warning]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.indexedDB) { return; }
      event.preventDefault();
      unsentFieldResults().then(function (count) {
        var warning = form.getAttribute("data-unsent-warning").replace("%(count)s", count);
        if (count === 0 || window.confirm(warning)) { form.submit(); }
      });
    });
  });

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
