import { t } from '../i18n/index.ts';

export function NotFound() {
  return (
    <section class="page narrow">
      <h1>{t('notFound.title')}</h1>
      <p>
        <a href="/">{t('notFound.home')}</a>
      </p>
    </section>
  );
}
