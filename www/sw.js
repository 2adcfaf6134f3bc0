// Crystal Atlas service worker: after the first visit the page works offline.
// www/stamp-build.mjs fills in this build's version and file list.
const BUILD = "__BUILD__";
const ASSETS = __ASSETS__;
const CACHE = `crystal-atlas-${BUILD}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)));
});

// Old builds' caches go once no page uses them (this worker only activates then).
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((k) => k.startsWith("crystal-atlas-") && k !== CACHE).map((k) => caches.delete(k))),
    ),
  );
});

// Cross-origin isolation (COOP and COEP, which GitHub Pages cannot send): with
// it the page may share memory with its map worker's threads
// (src/web/threads.rs); without it the map worker runs on one thread. Every
// file is the site's own, so require-corp blocks nothing.
function isolated(response) {
  if (!response || response.type === "opaque" || response.status === 0) {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // The page itself: the network first, so a new build shows at once; the cache offline.
    event.respondWith(
      fetch(request)
        .catch(() => caches.open(CACHE).then((cache) => cache.match("./")))
        .then(isolated),
    );
    return;
  }
  // Every other file is named per build (content hashes), so a cached copy is always right.
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)).then(isolated),
  );
});
