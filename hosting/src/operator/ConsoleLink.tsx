import { t } from '../i18n/index.ts';
import { isOperator } from './role.ts';

/** The header's link to the console, shown to operators only (its own small chunk, like the bell). */
export default function ConsoleLink() {
  if (!isOperator.value) return null;
  return (
    <a href="/operator" data-testid="nav-console">
      {t('nav.console')}
    </a>
  );
}
