import type { ComponentChildren } from 'preact';
import { t } from '../i18n/index.ts';
import { ot } from './i18n.ts';
import { isOperator } from './role.ts';

/** Console pages render only for the operator role; the API refuses everyone else anyway. */
export function OperatorOnly(props: { children: ComponentChildren }) {
  if (isOperator.value === null) return <p class="loading">{t('app.loading')}</p>;
  if (!isOperator.value) {
    return (
      <section class="page narrow" data-testid="not-operator">
        <h1>{ot('console.notOperator')}</h1>
      </section>
    );
  }
  return <>{props.children}</>;
}
