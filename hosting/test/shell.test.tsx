// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { renderConfigScript, runtimeConfigFromEnv } from '../runtime-config.ts';
import { Header } from '../src/components/Header.tsx';
import { en } from '../src/i18n/en.ts';
import { language, t, toggleLanguage } from '../src/i18n/index.ts';
import { th } from '../src/i18n/th.ts';
import { navigate, route, safeLocalPath } from '../src/router.ts';

afterEach(() => {
  cleanup();
  language.value = 'th';
});

describe('i18n', () => {
  it('defaults to Thai, switches to English, persists the choice and sets <html lang>', () => {
    expect(language.value).toBe('th');
    expect(t('nav.signIn')).toBe('เข้าสู่ระบบ');
    toggleLanguage();
    expect(t('nav.signIn')).toBe('Sign in');
    expect(localStorage.getItem('esp32cloud.lang')).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('fills named parameters', () => {
    language.value = 'en';
    expect(t('auth.signedInAs', { email: 'a@b.test' })).toBe('Signed in as a@b.test');
  });

  it('has every key in both dictionaries, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(th).sort());
    for (const value of [...Object.values(th), ...Object.values(en)]) expect(value.trim()).not.toBe('');
  });
});

describe('router', () => {
  it('accepts only paths on our own origin as redirect targets', () => {
    expect(safeLocalPath('/setup?sn=1')).toBe('/setup?sn=1');
    expect(safeLocalPath('https://evil.example/x')).toBeNull();
    expect(safeLocalPath('//evil.example/x')).toBeNull();
    expect(safeLocalPath('javascript:alert(1)')).toBeNull();
    expect(safeLocalPath(null)).toBeNull();
  });

  it('navigates by pushing history and updating the route signal', () => {
    navigate('/signup?next=%2Fsetup');
    expect(route.value.path).toBe('/signup');
    expect(route.value.query.get('next')).toBe('/setup');
    expect(window.location.pathname).toBe('/signup');
  });
});

describe('Header', () => {
  it('switches the language from its button and re-renders in place', async () => {
    render(<Header />);
    const button = screen.getByTestId('lang-switch');
    expect(button.textContent).toBe('English');
    fireEvent.click(button);
    expect(await screen.findByText('ภาษาไทย')).toBeTruthy();
    expect(language.value).toBe('en');
  });
});

describe('runtime config', () => {
  it('renders a script that sets the global config and cannot close a script element', () => {
    const config = runtimeConfigFromEnv({}, 'emulators');
    config.firebase.appId = '</script><script>alert(1)</script>';
    const script = renderConfigScript(config);
    expect(script).not.toContain('</script>');
    const scope: { __ESP32_CLOUD__?: unknown } = {};
    new Function('globalThis', script)(scope);
    expect(scope.__ESP32_CLOUD__).toEqual(config);
  });

  it('points a local build at the local emulators under a demo- project', () => {
    const config = runtimeConfigFromEnv({}, 'emulators');
    expect(config.firebase.projectId.startsWith('demo-')).toBe(true);
    expect(config.emulators?.auth).toBe('http://127.0.0.1:9099');
    expect(config.apiBase).toBe('/api');
  });

  it('takes a production config from VITE_FIREBASE_* without emulators', () => {
    const config = runtimeConfigFromEnv(
      {
        VITE_FIREBASE_PROJECT_ID: 'acme-iot',
        VITE_FIREBASE_API_KEY: 'AIza-public',
        VITE_FIREBASE_APP_ID: '1:2:web:3',
      },
      'production',
    );
    expect(config.firebase).toEqual({
      apiKey: 'AIza-public',
      authDomain: 'acme-iot.firebaseapp.com',
      projectId: 'acme-iot',
      appId: '1:2:web:3',
    });
    expect(config.emulators).toBeUndefined();
  });

  it('refuses a production build without the Firebase web config instead of pointing at 127.0.0.1', () => {
    expect(() => runtimeConfigFromEnv({}, 'production')).toThrow(/VITE_FIREBASE_PROJECT_ID/);
    expect(() => runtimeConfigFromEnv({ VITE_FIREBASE_PROJECT_ID: 'acme-iot' }, 'staging')).toThrow(
      /VITE_FIREBASE_API_KEY, VITE_FIREBASE_APP_ID/,
    );
    expect(() =>
      runtimeConfigFromEnv(
        { VITE_FIREBASE_PROJECT_ID: 'demo-x', VITE_FIREBASE_API_KEY: 'k', VITE_FIREBASE_APP_ID: 'a' },
        'production',
      ),
    ).toThrow(/demo project/);
  });
});
