import { signal } from '@preact/signals';

// Whether the browser is online, and when the states on screen were saved while they come from the offline
// snapshot (set by the device store; null when live). Read by the offline banner and the cards.

export const online = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
export const shownSnapshotAt = signal<Date | null>(null);

window.addEventListener('online', () => {
  online.value = true;
});
window.addEventListener('offline', () => {
  online.value = false;
});
