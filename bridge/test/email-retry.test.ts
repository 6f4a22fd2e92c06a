import { describe, expect, it } from 'vitest';
import { emailRetry } from '../src/alerts/email-retry.ts';
import { configFromEnv } from '../src/config.ts';

// An email the SMTP relay refused: retried with a doubling pause, then given up.

describe('email retry', () => {
  const policy = { attempts: 4, firstPauseMs: 60_000, maxPauseMs: 150_000 };

  it('doubles the pause from the first, up to the cap', () => {
    expect(emailRetry(policy, 1, 0)).toEqual({ retry: true, deliverAfter: 60_000 });
    expect(emailRetry(policy, 2, 1_000)).toEqual({ retry: true, deliverAfter: 121_000 });
    expect(emailRetry(policy, 3, 0)).toEqual({ retry: true, deliverAfter: 150_000 });
  });

  it('gives up at the last attempt', () => {
    expect(emailRetry(policy, 4, 0)).toEqual({ retry: false });
    expect(emailRetry(policy, 9, 0)).toEqual({ retry: false });
  });

  it('defaults to six attempts over about half an hour, and reads the environment', () => {
    const defaults = configFromEnv({}).alerts.emailRetry;
    expect(defaults).toEqual({ attempts: 6, firstPauseMs: 60_000, maxPauseMs: 1_800_000 });
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const next = emailRetry(defaults, attempt, waited);
      if (!next.retry) break;
      waited = next.deliverAfter;
    }
    expect(waited).toBe(31 * 60_000);
    expect(configFromEnv({ EMAIL_ATTEMPTS: '2' }).alerts.emailRetry.attempts).toBe(2);
  });
});
