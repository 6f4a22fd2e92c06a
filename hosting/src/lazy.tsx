import { type Signal, signal } from '@preact/signals';
import type { ComponentType, VNode } from 'preact';
import { t } from './i18n/index.ts';

/** A page component loaded on first use; `preload` starts loading it before it is first drawn. */
export type LazyPage<P extends object> = ComponentType<P> & { preload(): void };

/**
 * A page loaded on first use (its own chunk), without pulling preact/compat for lazy/Suspense.
 * Shows a small loading line (or the given placeholder) until the chunk has arrived.
 */
export function lazyPage<P extends object>(
  load: () => Promise<ComponentType<P>>,
  /**
   * Drawn while the chunk loads instead of the loading line: header parts pass something of their own size
   * (or nothing), so the header does not reflow under a pointer when they arrive.
   */
  placeholder?: () => VNode | null,
): LazyPage<P> {
  const loaded: Signal<ComponentType<P> | null> = signal(null);
  let requested = false;
  const preload = () => {
    if (requested) return;
    requested = true;
    void load().then((component) => {
      loaded.value = component;
    });
  };
  function LazyPage(props: P) {
    const Page = loaded.value;
    if (Page) return <Page {...props} />;
    preload();
    if (placeholder) return placeholder();
    return (
      <p class="loading" role="status">
        {t('app.loading')}
      </p>
    );
  }
  return Object.assign(LazyPage, { preload });
}
