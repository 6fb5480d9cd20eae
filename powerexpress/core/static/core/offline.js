/* Offline support for the field pages (crew and team members).
 * - registers the service worker (/sw.js) that keeps the visited pages for use without network;
 * - caches the pages linked with data-offline-cache (assigned tickets, today's visits);
 * - when there is no network, a form marked data-offline-kind is not sent but queued in
 *   IndexedDB with the moment it really happened and a client-generated key, and the page shows
 *   "offline — N actions waiting";
 * - when the network returns, each action is sent once to /offline/sync/; the server applies it
 *   idempotently and answers "applied" or "conflict" (shown, never dropped). */
(function () {
  "use strict";
  var DB_NAME = "powerexpress-offline", STORE = "actions", PAGES = "pe-pages-v1";
  var statusBox = document.getElementById("offline-status");
  var flushing = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function allActions() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function putAction(action) { return withStore("readwrite", function (store) { return store.put(action); }); }
  function deleteAction(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function fill(text, n) { return (text || "").replace("{n}", n); }

  function showStatus() {
    if (!statusBox) return Promise.resolve();
    return allActions().then(function (rows) {
      var n = rows.length;
      if (!navigator.onLine) {
        statusBox.hidden = false;
        statusBox.classList.remove("sending");
        statusBox.textContent = fill(statusBox.dataset.waiting, n);
      } else if (n) {
        statusBox.hidden = false;
        statusBox.classList.add("sending");
        statusBox.textContent = fill(statusBox.dataset.sending, n);
      } else {
        statusBox.hidden = true;
      }
    });
  }

  function describe(form, submitter, fields) {
    if (submitter && submitter.name === "status") return submitter.textContent.trim();
    var kind = form.querySelector("select[name=kind]");
    if (kind) return kind.options[kind.selectedIndex].textContent.trim();
    return fields.text || form.querySelector("button").textContent.trim();
  }

  function queueForm(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    var fields = {}, files = {};
    data.forEach(function (value, name) {
      if (value instanceof File) { if (value.size) files[name] = value; } else { fields[name] = value; }
    });
    fields.ref = form.dataset.offlineRef || "";
    var action = {
      key: newKey(), seq: Date.now() + Math.random(), kind: form.dataset.offlineKind,
      occurred_at: new Date().toISOString(), fields: fields, files: files,
      label: describe(form, submitter, fields)
    };
    fields.label = action.label;
    if (!(submitter && submitter.name === "status")) {
      form.querySelectorAll("input[type=text], input[type=file], textarea").forEach(function (input) { input.value = ""; });
    }
    return putAction(action).then(function () { showQueued(form, action, submitter); return showStatus(); });
  }

  function showQueued(form, action, submitter) {
    var card = form.closest("[data-ticket]") || form.closest("section") || document.body;
    var list = card.querySelector(".offline-queued");
    if (!list) { list = document.createElement("ul"); list.className = "offline-queued"; form.after(list); }
    list.hidden = false;
    var item = document.createElement("li");
    var at = new Date(action.occurred_at);
    item.textContent = action.label + " · " + ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2) +
      " · " + (statusBox ? statusBox.dataset.queued : "");
    list.appendChild(item);
    if (submitter && submitter.name === "status") {
      var status = card.querySelector("[data-status]");
      if (status) status.textContent = action.label;
      var later = (form.dataset.later || "").split(";").filter(Boolean);
      if (later.length) {
        var next = later.shift().split("|");
        submitter.value = next[0]; submitter.textContent = next[1];
        form.dataset.later = later.join(";");
      } else {
        form.hidden = true;
      }
    }
  }

  function sendAction(action) {
    var body = new FormData();
    body.set("key", action.key); body.set("action", action.kind); body.set("occurred_at", action.occurred_at);
    Object.keys(action.fields).forEach(function (name) {
      if (["key", "action", "occurred_at"].indexOf(name) === -1) body.set(name, action.fields[name]);
    });
    Object.keys(action.files).forEach(function (name) { body.set(name, action.files[name], action.files[name].name || "photo.jpg"); });
    return fetch("/offline/sync/", {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403 && !response.headers.get("content-type")) {
        throw new Error("signed out");
      }
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var sent = 0;
    return showStatus().then(allActions).then(function (rows) {
      return rows.reduce(function (chain, action) {
        return chain.then(function () {
          return sendAction(action).then(function (result) {
            sent += 1;
            if (result.status >= 500) throw new Error("server");
            return deleteAction(action.key);
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* keep the rest queued; try again on the next "online" */ })
      .then(function () {
        flushing = false;
        return showStatus();
      }).then(function () {
        if (sent) window.location.reload();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.offlineKind || navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    queueForm(form, event.submitter);
  }, true);

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt.closest("form[data-offline-kind]");
    if (form) queueForm(form, form.querySelector("button[name=status]"));
  });

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".undo-form:not([data-timer])").forEach(function (undo) {
      undo.dataset.timer = "1";
      setTimeout(function () { if (undo.isConnected) undo.remove(); }, 1000 * Number(undo.dataset.undoSeconds || 10));
    });
  });

  document.addEventListener("submit", function (event) {
    if (event.target.action && /\/accounts\/logout\//.test(event.target.action) && window.caches) {
      caches.delete(PAGES);
    }
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", showStatus);

  function cacheLinkedPages() {
    if (!window.caches || !navigator.onLine) return;
    var urls = Array.prototype.map.call(document.querySelectorAll("a[data-offline-cache]"), function (a) { return a.href; });
    urls.push(window.location.href);
    caches.open(PAGES).then(function (cache) {
      urls.forEach(function (url) {
        fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) cache.put(url, response);
        }).catch(function () {});
      });
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  showStatus().then(flush);
  cacheLinkedPages();
  window.powerExpressOffline = { flush: flush, pending: function () { return allActions().then(function (r) { return r.length; }); } };
})();
