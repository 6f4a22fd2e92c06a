import { AuthForm, type AuthMode } from '../components/AuthForm.tsx';
import { navigate, route, safeLocalPath } from '../router.ts';

/** /signin, /signup, /reset: after success go to ?next= (our own origin only) or the dashboard. */
export function AuthPage(props: { mode: AuthMode }) {
  const next = safeLocalPath(route.value.query.get('next')) ?? '/';
  return (
    <section class="page narrow">
      <AuthForm key={props.mode} initialMode={props.mode} onDone={() => navigate(next, { replace: true })} />
    </section>
  );
}
