// ESP32 Cloud's service worker (docs/WEB_APP.md, "Offline and caching"). Hand-written, about 80 lines, no
// dependencies; the build (hosting/pwa/plugin.ts) prepends VERSION and SHELL, the list of built files.
//
// What it caches: only the public app shell (HTML, scripts, styles, icons, the manifests and the public web
// config). Never an API response, never Firestore or Auth traffic (other origins, /api/**, /__/**), so nothing
// of one account can be served to another on a shared phone. An account's last known dashboard lives in the
// page's localStorage, per account, and is removed at sign-out (hosting/src/pwa/private-data.ts).
/* global VERSION, SHELL */

const SHELL_CACHE = `esp32cloud-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  // Waits for the page to accept the update (the update prompt posts 'skip-waiting'). One file that fails to
  // arrive must not throw the whole worker away (a first install that fails unregisters it): it is fetched, and
  // cached, the first time the page asks for it instead.
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => Promise.all(SHELL.map((path) => cache.add(path).catch(() => undefined)))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== SHELL_CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

function neverCached(url) {
  return (
    url.origin !== self.location.origin ||
    url.pathname === '/api' ||
    url.pathname.startsWith('/api/') ||
    url.pathname.startsWith('/__/')
  );
}

async function networkFirst(request, fallbackPath) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !fallbackPath) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackPath ?? request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Hashed build files never change under their name; lazy chunks join the shell the first time they load.
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (neverCached(url)) return;
  if (request.mode === 'navigate') {
    // Every page of the app is the same shell: fresh when online, the cached one offline.
    event.respondWith(networkFirst(request, '/index.html'));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (SHELL.includes(url.pathname)) {
    // The web config and the manifests may change without a new build: fresh when online.
    event.respondWith(networkFirst(request));
  }
});
