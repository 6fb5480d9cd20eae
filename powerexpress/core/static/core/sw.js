/* Service worker of Power Express: keeps the pages a crew member or team member opened (and the
 * ones their pages list with data-offline-cache) so they open without network. Pages: network
 * first, the cached copy when offline. Static files: cache first (their names change with their
 * content once static files are hashed). Nothing here sends data: queued actions live in
 * IndexedDB and are sent by offline.js. */
var PAGES = "pe-pages-v1", STATIC = "pe-static-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (/^\/(accounts|admin|api|i18n|offline)\//.test(url.pathname)) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode === "navigate" || (request.headers.get("accept") || "").indexOf("text/html") !== -1) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected && !request.headers.get("HX-Request")) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(request.url).then(function (hit) {
          return hit || new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><p>离线：此页面尚未保存到手机。 / Offline: this page was not saved on the phone.</p>", { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        });
      });
    }));
  }
});
