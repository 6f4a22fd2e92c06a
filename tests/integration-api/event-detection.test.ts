import { describe, expect, it } from 'vitest';
import {
  alertEvents,
  commandEvents,
  ownershipEvents,
  presenceEvents,
} from '../../functions/src/events/detect.ts';

// Which document changes are which platform events (functions/src/events/detect.ts), without an emulator.

describe('event detection', () => {
  it('a presence change is device.online/offline plus device.status_changed', () => {
    expect(presenceEvents({ online: true, previous: false }).map((e) => e.event)).toEqual([
      'device.online',
      'device.status_changed',
    ]);
    expect(presenceEvents({ online: false, previous: true })[0]).toMatchObject({
      event: 'device.offline',
      uid: null,
      data: { online: false, previous: true },
    });
    expect(presenceEvents(null)).toEqual([]); // a deleted history entry is no event
  });

  it('an owner link appearing is a claim, going away a release; other link changes are nothing', () => {
    const owner = { user_id: 'u1', device_id: 'd1', access_level: 'owner' };
    expect(ownershipEvents(null, owner)).toEqual([
      { event: 'device.claimed', uid: 'u1', data: { owner_uid: 'u1' } },
    ]);
    expect(ownershipEvents(owner, null)).toEqual([
      { event: 'device.released', uid: 'u1', data: { former_owner_uid: 'u1' } },
    ]);
    expect(ownershipEvents(owner, { ...owner, last_accessed: 'later' })).toEqual([]);
    expect(ownershipEvents(null, { ...owner, access_level: 'viewer' })).toEqual([]);
  });

  it('a command reaching acked or failed, once', () => {
    const sent = { id: 'c1', command: 'relay', params: { pin: 25 }, status: 'sent', requested_by: 'u1' };
    expect(commandEvents(sent, { ...sent, status: 'acked', result: null })[0]).toMatchObject({
      event: 'command.acked',
      data: { command_id: 'c1', status: 'acked' },
    });
    expect(commandEvents(sent, { ...sent, status: 'failed', error: { code: 'timeout' } })[0].event).toBe(
      'command.failed',
    );
    expect(commandEvents(null, { ...sent, status: 'queued' })).toEqual([]);
    expect(commandEvents({ ...sent, status: 'acked' }, { ...sent, status: 'acked', x: 1 })).toEqual([]);
  });

  it('an alert episode created is fired, resolved_at set is resolved', () => {
    const alert = { alert_id: 'a1', device_id: 'd1', rule_id: 'r1', resolved_at: null };
    expect(alertEvents(null, alert)[0].event).toBe('alert.fired');
    expect(alertEvents(alert, { ...alert, resolved_at: '2026-12-02T00:00:00Z' })[0].event).toBe(
      'alert.resolved',
    );
    expect(alertEvents(alert, { ...alert, recipients: ['u'] })).toEqual([]);
  });
});
