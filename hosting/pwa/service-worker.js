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
  if (event.data === 'skip-waiting') {
    self.skipWaiting();
    return;
  }
  answerAuthPersistence(event);
});

// Firebase Auth's IndexedDB persistence tells the page's service worker each time it saves the session (on
// every sign-in and on restoring it at page load), as `{eventType, eventId}` with a reply port, and waits up to
// 50 ms for an acknowledgement before the save counts as done: a worker that stays silent adds 50 ms to every
// page load of a signed-in user. This worker holds no session (it never touches Auth traffic), so it
// acknowledges at once and answers with no results, as Auth's own receiver does for events nobody handles.
const AUTH_EVENTS = ['ping', 'keyChanged'];

function answerAuthPersistence(event) {
  const message = event.data;
  const port = event.ports?.[0];
  if (!port || !message || typeof message.eventId !== 'string' || !AUTH_EVENTS.includes(message.eventType))
    return;
  const { eventId, eventType } = message;
  port.postMessage({ status: 'ack', eventId, eventType });
  port.postMessage({ status: 'done', eventId, eventType, response: [] });
}

function neverCached(url) {
  return (
    url.origin !== self.location.origin ||
    url.pathname === '/api' ||
    url.pathname.startsWith('/api/') ||
    url.pathname.startsWith('/__/')
  );
}

// A response goes to the page at once; its copy is written to the cache afterwards (`keep`, the fetch event's
// waitUntil), never in the page's way: the web config is a blocking script in every page's <head>.
function store(request, response, keep) {
  const copy = response.clone();
  keep(caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)));
}

async function networkFirst(request, keep, fallbackPath) {
  try {
    const response = await fetch(request);
    if (response.ok && !fallbackPath) store(request, response, keep);
    return response;
  } catch (error) {
    const cached = await caches.match(fallbackPath ?? request, { cacheName: SHELL_CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request, keep) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  // Hashed build files never change under their name; lazy chunks join the shell the first time they load.
  if (response.ok) store(request, response, keep);
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (neverCached(url)) return;
  const keep = (promise) => event.waitUntil(promise.catch(() => undefined));
  if (request.mode === 'navigate') {
    // Every page of the app is the same shell: fresh when online, the cached one offline.
    event.respondWith(networkFirst(request, keep, '/index.html'));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request, keep));
  } else if (SHELL.includes(url.pathname)) {
    // The web config and the manifests may change without a new build: fresh when online.
    event.respondWith(networkFirst(request, keep));
  }
});
