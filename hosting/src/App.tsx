import { useEffect, useRef } from 'preact/hooks';
import { LazyAccountPage, LazyUpgradePrompt } from './account/lazy.ts';
import { LazyNotificationsPage } from './alerts/lazy.ts';
import { Header } from './components/Header.tsx';
import { t } from './i18n/index.ts';
import { LazyIntegrationsPage } from './integrations/lazy.ts';
import { lazyPage } from './lazy.tsx';
import { planLimitHit } from './lib/plan-limit.ts';
import { operatorPage } from './operator/lazy.tsx';
import { AuthPage } from './pages/AuthPage.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { Banners } from './pwa/Banners.tsx';
import { navigate, onLinkClick, route } from './router.ts';
import { currentUser, sessionLikely } from './session.ts';
import { supportPage } from './support/lazy.tsx';

// The dashboard and the wizard are separate chunks: the first page ships only the shell, auth and i18n.
const Dashboard = lazyPage(() => import('./dashboard/Dashboard.tsx').then((m) => m.default));
const DeviceDetail = lazyPage<{ deviceId: string }>(() =>
  import('./dashboard/DeviceDetail.tsx').then((m) => m.default),
);

/**
 * Opening the dashboard or a device with a saved session: their chunks (and Firestore's) load while Firebase
 * restores the session, instead of after it. A signed-out visitor (no saved session) loads nothing more.
 */
export function preloadFirstPage(): void {
  if (!sessionLikely()) return;
  const { path } = route.value;
  if (path === '/') Dashboard.preload();
  else if (/^\/devices\/[^/]+$/.test(path)) DeviceDetail.preload();
}
const Setup = lazyPage(() => import('./setup/Setup.tsx').then((m) => m.default));
const FleetAnalytics = lazyPage(() => import('./analytics/FleetPage.tsx').then((m) => m.default));

/** Pages that need a signed-in user send a signed-out visitor to /signin and back afterwards. */
function RequireUser(props: { children: preact.ComponentChildren }) {
  const user = currentUser.value;
  const signedOut = user === null;
  useEffect(() => {
    if (signedOut) {
      const here = route.value.path + (route.value.query.size ? `?${route.value.query}` : '');
      navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true });
    }
  }, [signedOut]);
  if (!user) return <p class="loading">{t('app.loading')}</p>;
  return <>{props.children}</>;
}

function Page() {
  const { path } = route.value;
  if (currentUser.value === undefined) {
    return (
      <p class="loading" role="status">
        {t('app.loading')}
      </p>
    );
  }
  // Help and the support console (each page its own chunk): signed-in users only.
  const support = supportPage(path) ?? operatorPage(path, route.value.query);
  if (support) return <RequireUser>{support}</RequireUser>;
  const device = /^\/devices\/([^/]+)$/.exec(path);
  if (device) {
    return (
      <RequireUser>
        <DeviceDetail deviceId={decodeURIComponent(device[1]!)} />
      </RequireUser>
    );
  }
  switch (path) {
    case '/setup':
      // The wizard handles signing in itself, at the step that needs it.
      return <Setup />;
    case '/':
      return (
        <RequireUser>
          <Dashboard />
        </RequireUser>
      );
    case '/account':
      return (
        <RequireUser>
          <LazyAccountPage />
        </RequireUser>
      );
    case '/notifications':
      return (
        <RequireUser>
          <LazyNotificationsPage />
        </RequireUser>
      );
    case '/integrations':
      return (
        <RequireUser>
          <LazyIntegrationsPage />
        </RequireUser>
      );
    case '/admin/analytics':
      return (
        <RequireUser>
          <FleetAnalytics />
        </RequireUser>
      );
    case '/signin':
      return <AuthPage mode="signin" />;
    case '/signup':
      return <AuthPage mode="signup" />;
    case '/reset':
      return <AuthPage mode="reset" />;
    default:
      return <NotFound />;
  }
}

export function App() {
  // After a client-side navigation, move focus to the new page (as a full page load would), so keyboard and
  // screen-reader users start at its top instead of on a link that no longer exists.
  const path = route.value.path;
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: delegated click handler for client-side links
    // biome-ignore lint/a11y/useKeyWithClickEvents: links keep their native keyboard behaviour
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <Header />
      <Banners />
      <main id="main" tabIndex={-1}>
        {planLimitHit.value && <LazyUpgradePrompt />}
        <Page />
      </main>
    </div>
  );
}
