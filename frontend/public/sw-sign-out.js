// Part of the service worker (imported by the one vite-plugin-pwa generates). When the page signs
// out — the POST to /api/v1/auth/logout passes through here whether or not the network answers — every
// cache and database that can hold the person's data is emptied: the runtime caches (the precache holds
// only the build's static files and stays, so the sign-in screen still opens offline) and every IndexedDB
// database of the app. The request itself goes on to the network unchanged.
const PRECACHE_PREFIX = 'workbox-precache';
const APP_DATABASE_PREFIX = 'primo-';

async function clearSignedOutData() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => !name.startsWith(PRECACHE_PREFIX)).map((name) => caches.delete(name)));
  if (typeof indexedDB.databases === 'function') {
    const databases = await indexedDB.databases();
    await Promise.all(
      databases
        .filter((database) => database.name && database.name.startsWith(APP_DATABASE_PREFIX))
        .map(
          (database) =>
            new Promise((resolve) => {
              const request = indexedDB.deleteDatabase(database.name);
              request.onsuccess = request.onerror = request.onblocked = () => resolve();
            }),
        ),
    );
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method === 'POST' && new URL(request.url).pathname === '/api/v1/auth/logout') {
    event.waitUntil(clearSignedOutData());
  }
});
