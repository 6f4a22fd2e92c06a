import { describe, expect, it } from 'vitest';
import {
  COMMAND_ANSWER_DEADLINE_MS,
  COMMAND_ERROR_CODES,
  COMMAND_ERROR_MESSAGES,
  COMMAND_TIMEOUT_MS,
  commandOutcome,
  commandUpdates,
  firestorePaths,
  mayApply,
  usageDayId,
  userDeviceId,
} from '../src/index.ts';

describe('command lifecycle', () => {
  it('applies each event only from the statuses it may follow', () => {
    expect(mayApply('send', 'queued')).toBe(true);
    // A fast device's ack landed first: the API's "sent" must not overwrite it.
    expect(mayApply('send', 'acked')).toBe(false);
    // The API records a command sent as it publishes; a refused publish then fails it, unless it was answered.
    expect(mayApply('sendFailed', 'sent')).toBe(true);
    expect(mayApply('sendFailed', 'acked')).toBe(false);
    expect(mayApply('timeout', 'sent')).toBe(true);
    expect(mayApply('timeout', 'acked')).toBe(false);
    // A late answer still says what the device did, even after a timeout.
    expect(mayApply('ack', 'failed')).toBe(true);
    expect(mayApply('ack', 'acked')).toBe(false);
    expect(mayApply('ack', 'nonsense')).toBe(false);
  });

  it('names a timeout as its own outcome while storing it as failed', () => {
    const update = commandUpdates.timeout(COMMAND_TIMEOUT_MS, 'at');
    expect(update).toMatchObject({ status: 'failed', error: { code: 'timeout' }, failed_at: 'at' });
    expect(update.error.message).toBe('The device did not answer within 30 s.');
    expect(commandOutcome(update)).toBe('timed_out');
    expect(commandOutcome(commandUpdates.sendFailed())).toBe('failed');
    expect(commandOutcome(commandUpdates.ack({ ok: true }, 'at'))).toBe('acked');
    expect(commandOutcome(commandUpdates.ack({ ok: false, error: { code: 'x', message: 'y' } }, 'at'))).toBe(
      'failed',
    );
    expect(commandOutcome({ status: 'sent' })).toBe('pending');
    // acked_at is written only by an answer, so it wins over a later "sent".
    expect(commandOutcome({ status: 'sent', acked_at: 1 })).toBe('acked');
    expect(COMMAND_ANSWER_DEADLINE_MS).toBeGreaterThan(COMMAND_TIMEOUT_MS);
  });
});

describe('command errors viewers can read', () => {
  it('stores a fixed message for a failed send, whatever the relay said', () => {
    expect(commandUpdates.sendFailed().error).toEqual({
      code: 'broker_unavailable',
      message: COMMAND_ERROR_MESSAGES.broker_unavailable,
    });
  });

  it("maps a device's error to one of our codes with its fixed message, never the device's text", () => {
    const ack = (code: string) =>
      commandUpdates.ack(
        { ok: false, error: { code, message: 'Call +66 000 000 to unlock <b>now</b>' } },
        'at',
      );
    expect(ack('invalid_command').error).toEqual({
      code: 'invalid_command',
      message: 'The device refused the command.',
    });
    expect(ack('invalid_payload').error?.code).toBe('invalid_payload');
    for (const code of ['x', 'owner_uid', 'timeout', 'broker_unavailable', '<script>']) {
      expect(ack(code).error).toEqual({ code: 'device_error', message: COMMAND_ERROR_MESSAGES.device_error });
    }
  });

  it('has a fixed message for every code', () => {
    for (const code of Object.values(COMMAND_ERROR_CODES))
      expect(COMMAND_ERROR_MESSAGES[code]).toMatch(/\.$/);
  });
});

describe('Firestore paths', () => {
  it('builds every document path from the collection names', () => {
    expect(firestorePaths.device('D1')).toBe('devices/D1');
    expect(firestorePaths.userDevice('u1', 'D1')).toBe('user_devices/u1_D1');
    expect(userDeviceId('u1', 'D1')).toBe('u1_D1');
    expect(firestorePaths.command('D1', 'c1')).toBe('devices/D1/commands/c1');
    expect(firestorePaths.usageDay('D1', usageDayId(Date.UTC(2026, 0, 2, 23, 59)))).toBe(
      'devices/D1/usage/2026-01-02',
    );
    expect(firestorePaths.logs('D1')).toBe('devices/D1/logs');
    expect(firestorePaths.deviceSubcollection('D1', 'usage')).toBe('devices/D1/usage');
  });
});
