import { LazyBell } from '../alerts/lazy.ts';
import { t, toggleLanguage } from '../i18n/index.ts';
import { LazyConsoleLink } from '../operator/lazy.tsx';
import { navigate } from '../router.ts';
import { currentUser, signOut } from '../session.ts';

export function Header() {
  const user = currentUser.value;
  return (
    <header class="topbar">
      <a class="brand" href="/">
        {t('app.name')}
      </a>
      <nav class="topnav" aria-label={t('app.name')}>
        {user && <a href="/">{t('nav.dashboard')}</a>}
        {user && <a href="/account">{t('nav.account')}</a>}
        {user && <a href="/help">{t('nav.help')}</a>}
        {user && (
          <a href="/integrations" data-testid="nav-integrations">
            {t('nav.integrations')}
          </a>
        )}
        {user && <LazyConsoleLink />}
        {user && <LazyBell uid={user.uid} />}
        <button
          type="button"
          class="link"
          onClick={toggleLanguage}
          aria-label={`${t('lang.label')}: ${t('lang.switch')}`}
          data-testid="lang-switch"
        >
          {t('lang.switch')}
        </button>
        {user && (
          <button
            type="button"
            class="link"
            data-testid="sign-out"
            onClick={async () => {
              await signOut();
              navigate('/signin', { replace: true });
            }}
          >
            {t('nav.signOut')}
          </button>
        )}
      </nav>
    </header>
  );
}
