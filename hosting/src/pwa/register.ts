/// <reference types="vite/client" />
import { effect, signal } from '@preact/signals';
import { language } from '../i18n/index.ts';

// Registers the service worker (production builds only), offers an update when a new version is waiting, and
// keeps the manifest link in the UI language.

/** A new version is installed and waiting for the user's go-ahead. */
export const updateWaiting = signal<ServiceWorker | null>(null);

function watch(registration: ServiceWorkerRegistration): void {
  if (registration.waiting && navigator.serviceWorker.controller) updateWaiting.value = registration.waiting;
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      // The first install is no update: only a worker that arrives while another controls the page is.
      if (worker.state === 'installed' && navigator.serviceWorker.controller) updateWaiting.value = worker;
    });
  });
  const check = () => {
    if (document.visibilityState === 'visible') void registration.update().catch(() => undefined);
  };
  document.addEventListener('visibilitychange', check);
  setInterval(check, 60 * 60 * 1000);
}

/** The user accepted the update: the new worker takes over and the page reloads once onto the new version. */
export function applyUpdate(): void {
  const worker = updateWaiting.value;
  if (!worker) return;
  let reloaded = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloaded) return;
    reloaded = true;
    window.location.reload();
  });
  worker.postMessage('skip-waiting');
}

export function startInstallableApp(): void {
  effect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
    if (link) link.href = `/manifest.${language.value}.webmanifest`;
  });
  // Built app only: `vite dev` (hot reloading) has no /sw.js. Not import.meta.env.PROD, which follows NODE_ENV and
  // is false in a build made inside the test runner.
  if (import.meta.hot || !('serviceWorker' in navigator)) return;
  // After the first page has loaded: the worker's download of the shell must not compete with it.
  const register = () =>
    void navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(watch)
      .catch((error: unknown) => console.warn('service worker not registered', String(error)));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
