// VeM Studio's service worker: keeps the app and its models in Cache Storage so that after a first
// visit everything loads with no network. The file list and its version come from precache.json
// (written at build time). Navigations go to the network first (a new build shows up at once) and fall
// back to the cached page; every other same-origin GET is served from the cache when present (Vary is
// ignored: the server varies on Origin, and module scripts are requested with one, the cache without).
// Whatever it serves carries the app's security headers (cross-origin isolation, CSP; the build writes
// them in below from scripts/security-headers.ts) where the response lacks them, so the offline copy is
// isolated as the served one is, and a host that sends no headers gets them from the second visit on.
const PREFIX = 'vem-studio-';
const SECURITY_HEADERS = /* @security-headers */ {};

/** `res` with the security headers it lacks; responses it cannot rebuild (opaque, errors) pass as they are. */
function withHeaders(res) {
  if (res.type !== 'basic' && res.type !== 'default') return res;
  const missing = Object.entries(SECURITY_HEADERS).filter(([k]) => !res.headers.has(k));
  if (missing.length === 0) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of missing) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function sync() {
  const res = await fetch('precache.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`precache.json: ${res.status}`);
  const list = await res.json();
  const name = PREFIX + list.version;
  const cache = await caches.open(name);
  const have = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
  const missing = ['./', ...list.files].filter((f) => !have.has(new URL(f, self.registration.scope).pathname));
  // one at a time: 90 MB of models and wasm should not compete with the page for the network or memory
  for (const f of missing) await cache.add(new Request(f, { cache: 'reload' }));
  for (const k of await caches.keys()) if (k.startsWith(PREFIX) && k !== name) await caches.delete(k);
  return { version: list.version, files: list.files.length + 1 };
}

self.addEventListener('install', (e) => {
  e.waitUntil(sync().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(self.clients.claim());
});

self.addEventListener('message', (e) => {
  if (e.data?.type !== 'sync') return;
  e.waitUntil(
    sync().then(
      (r) => e.source?.postMessage({ type: 'offline-ready', ...r }),
      (err) => e.source?.postMessage({ type: 'offline-failed', message: String(err?.message ?? err) }),
    ),
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    e.respondWith(
      fetch(req)
        .catch(
          async () =>
            (await caches.match(req, { ignoreSearch: true, ignoreVary: true })) ??
            (await caches.match('./')) ??
            Response.error(),
        )
        .then(withHeaders),
    );
    return;
  }
  e.respondWith(
    caches
      .match(req, { ignoreSearch: true, ignoreVary: true })
      .then((hit) => hit ?? fetch(req))
      .then(withHeaders),
  );
});
