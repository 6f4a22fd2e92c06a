import { removeSnapshots } from './snapshot.ts';

/**
 * Removes everything of the signed-in account that outlives the page: its saved dashboard (localStorage), this
 * tab's session storage, and any Cache Storage entry that is not the public app shell (the service worker
 * caches nothing else, so this is belt and braces). Called at sign-out, before Firebase forgets the user.
 */
export async function clearPrivateData(): Promise<void> {
  removeSnapshots();
  try {
    sessionStorage.clear();
  } catch {
    // storage unavailable: nothing was stored either
  }
  if (typeof caches === 'undefined') return;
  for (const key of await caches.keys()) {
    if (!key.startsWith('esp32cloud-shell-')) await caches.delete(key);
  }
}
