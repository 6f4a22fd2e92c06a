import { type Signal, signal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { t } from './i18n/index.ts';

/**
 * A page loaded on first use (its own chunk), without pulling preact/compat for lazy/Suspense.
 * Shows a small loading line until the chunk has arrived.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const loaded: Signal<ComponentType<P> | null> = signal(null);
  let requested = false;
  return function LazyPage(props: P) {
    const Page = loaded.value;
    if (Page) return <Page {...props} />;
    if (!requested) {
      requested = true;
      void load().then((component) => {
        loaded.value = component;
      });
    }
    return (
      <p class="loading" role="status">
        {t('app.loading')}
      </p>
    );
  };
}
