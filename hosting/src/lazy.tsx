import { type Signal, signal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { t } from './i18n/index.ts';

/** A page component loaded on first use; `preload` starts loading it before it is first drawn. */
export type LazyPage<P extends object> = ComponentType<P> & { preload(): void };

/**
 * A page loaded on first use (its own chunk), without pulling preact/compat for lazy/Suspense.
 * Shows a small loading line until the chunk has arrived.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): LazyPage<P> {
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
    return (
      <p class="loading" role="status">
        {t('app.loading')}
      </p>
    );
  }
  return Object.assign(LazyPage, { preload });
}
