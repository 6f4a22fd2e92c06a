// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { shareErrorMessage } from '../src/dashboard/Sharing.tsx';
import { en } from '../src/i18n/en.ts';
import { language } from '../src/i18n/index.ts';
import { th } from '../src/i18n/th.ts';
import { ApiError } from '../src/lib/api.ts';

// The share form's messages: the API's failures in plain Thai (default) or English. The section itself is
// exercised in Chromium against the real API (tests/e2e/device-sharing.test.ts).

afterEach(() => {
  language.value = 'th';
});

describe('share error messages', () => {
  it('explains an unknown email and a refused email in Thai, then English', () => {
    const unknown = new ApiError(404, 'user_not_found', 'No account uses x@example.test.');
    const self = new ApiError(400, 'invalid_argument', 'You already own this device.');
    expect(shareErrorMessage(unknown)).toBe(th['share.error.userNotFound']);
    expect(shareErrorMessage(self)).toBe(th['share.error.invalid']);
    language.value = 'en';
    expect(shareErrorMessage(unknown)).toBe(en['share.error.userNotFound']);
    expect(shareErrorMessage(self)).toBe(en['share.error.invalid']);
  });

  it('falls back to the app-wide messages for everything else', () => {
    expect(shareErrorMessage(new ApiError(403, 'permission_denied', 'Only the owner…'))).toBe(
      th['error.forbidden'],
    );
    expect(shareErrorMessage(new ApiError(0, 'network', 'fetch failed'))).toBe(th['error.network']);
    expect(shareErrorMessage(new Error('boom'))).toBe(th['error.unknown']);
  });

  it('has every sharing string in both languages', () => {
    const keys = Object.keys(th).filter((key) => key.startsWith('share.'));
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(en[key as keyof typeof en], key).toBeTruthy();
  });
});
