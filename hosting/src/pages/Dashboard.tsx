import { t } from '../i18n/index.ts';
import { currentUser } from '../session.ts';

/** Placeholder until the device grid lands: shows who is signed in. */
export default function Dashboard() {
  const user = currentUser.value;
  return (
    <section class="page">
      <h1>{t('dashboard.title')}</h1>
      <p data-testid="signed-in-as">{t('auth.signedInAs', { email: user?.email ?? '' })}</p>
    </section>
  );
}
