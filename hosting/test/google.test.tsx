// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localRuntimeConfig, runtimeConfigFromEnv } from '../runtime-config.ts';
import { AuthForm } from '../src/components/AuthForm.tsx';
import { EmulatedGoogleDialog } from '../src/components/EmulatedGoogleDialog.tsx';
import { emulatedGoogleIdToken, googleIsEmulated } from '../src/emulated-google.ts';
import { language } from '../src/i18n/index.ts';

// The local Google account picker. Signing in for real through it is proven in Chromium against the Auth
// emulator (tests/e2e/google-sign-in.test.ts); here: the token it builds, the dialog and when it appears.

const emulatorConfig = localRuntimeConfig({
  projectId: 'demo-google-test',
  authEmulatorUrl: 'http://127.0.0.1:1',
  firestoreHost: '127.0.0.1',
  firestorePort: 1,
});

beforeEach(() => {
  language.value = 'th';
  globalThis.__ESP32_CLOUD__ = emulatorConfig;
});
afterEach(() => {
  cleanup();
  globalThis.__ESP32_CLOUD__ = undefined;
});

describe('emulated Google ID token', () => {
  it('is strict JSON with a verified email and a stable sub per address, whatever its case', () => {
    const token = JSON.parse(emulatedGoogleIdToken({ email: ' Somchai@Example.test ', name: 'สมชาย ใจดี' }));
    expect(token).toEqual({
      sub: expect.stringMatching(/^[0-9a-f]+$/),
      email: 'somchai@example.test',
      email_verified: true,
      name: 'สมชาย ใจดี',
    });
    const again = JSON.parse(emulatedGoogleIdToken({ email: 'somchai@example.test', name: '' }));
    expect(again.sub).toBe(token.sub);
    expect(again).not.toHaveProperty('name');
    const other = JSON.parse(emulatedGoogleIdToken({ email: 'somsri@example.test', name: '' }));
    expect(other.sub).not.toBe(token.sub);
  });

  it('is used only when the runtime config points at the emulators', () => {
    expect(googleIsEmulated()).toBe(true);
    globalThis.__ESP32_CLOUD__ = runtimeConfigFromEnv(
      {
        VITE_FIREBASE_PROJECT_ID: 'acme-iot',
        VITE_FIREBASE_API_KEY: 'AIza-public',
        VITE_FIREBASE_APP_ID: '1:2:web:3',
      },
      'production',
    );
    expect(googleIsEmulated()).toBe(false);
  });
});

describe('EmulatedGoogleDialog', () => {
  it('hands back the trimmed account on submit', () => {
    const onPick = vi.fn();
    render(<EmulatedGoogleDialog onPick={onPick} onCancel={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'เข้าสู่ระบบด้วย Google (ทดสอบ)' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    fireEvent.input(screen.getByLabelText('อีเมลบัญชี Google'), { target: { value: ' a@b.test ' } });
    fireEvent.input(screen.getByLabelText('ชื่อ (ไม่บังคับ)'), { target: { value: ' สมชาย ' } });
    fireEvent.click(screen.getByRole('button', { name: 'เข้าสู่ระบบด้วยบัญชีนี้' }));
    expect(onPick).toHaveBeenCalledWith({ email: 'a@b.test', name: 'สมชาย' });
  });

  it('does nothing without an email, and closes with Cancel or Escape', () => {
    const onPick = vi.fn();
    const onCancel = vi.fn();
    render(<EmulatedGoogleDialog onPick={onPick} onCancel={onCancel} />);
    fireEvent.submit(screen.getByRole('dialog').querySelector('form')!);
    expect(onPick).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getByLabelText('อีเมลบัญชี Google'), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'ยกเลิก' }));
    expect(onCancel).toHaveBeenCalledTimes(2);
  });

  it('speaks English after the switch', () => {
    language.value = 'en';
    render(<EmulatedGoogleDialog onPick={() => {}} onCancel={() => {}} />);
    screen.getByRole('dialog', { name: 'Sign in with Google (test)' });
    screen.getByLabelText('Google account email');
  });
});

describe('AuthForm with the emulators', () => {
  it('opens the local account picker from "Continue with Google", outside its own form', async () => {
    render(<AuthForm />);
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.click(screen.getByTestId('google-sign-in'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.parentElement?.closest('form')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'ยกเลิก' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('google-sign-in'));
  });
});
