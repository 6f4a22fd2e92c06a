import { signal } from '@preact/signals';

/** The current location as a signal: pages re-render when it changes. Pathname routes, no hash. */
export interface Route {
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export const route = signal<Route>(current());

window.addEventListener('popstate', () => {
  route.value = current();
});

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = safeLocalPath(to) ?? '/';
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  route.value = current();
  window.scrollTo?.(0, 0);
}

/**
 * A path on our own origin, or null. Used for every redirect taken from a URL (?next=, ?redirect=) so a
 * crafted link can never send a user to another site.
 */
export function safeLocalPath(candidate: string | null | undefined): string | null {
  if (!candidate) return null;
  try {
    const url = new URL(candidate, window.location.origin);
    if (url.origin !== window.location.origin) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}

/** Client-side navigation for plain <a href> clicks (keeps modifier-clicks and new tabs working). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const href = anchor.getAttribute('href');
  if (!href || href.startsWith('#') || href.startsWith('http') || safeLocalPath(href) === null) return;
  event.preventDefault();
  navigate(href);
}
