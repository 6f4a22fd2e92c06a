// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceLink } from '../src/devices/types.ts';
import { loadSnapshot, snapshotWriter } from '../src/pwa/snapshot.ts';

// The offline dashboard's writer: what is saved when, so leaving the page writes only what changed.

const UID = 'u1';
const link = (name: string): DeviceLink => ({ deviceId: 'ESP32_1', name, access: 'owner' });

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe('snapshot writer', () => {
  it('saves the first live list when idle, and leaving the page then writes nothing more', () => {
    vi.useFakeTimers();
    let links = [link('one')];
    const writer = snapshotWriter(UID, () => ({ links, devices: [] }));
    writer.soon();
    expect(loadSnapshot(UID)).toBeNull();
    vi.runAllTimers();
    expect(loadSnapshot(UID)?.links).toEqual([link('one')]);
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    links = [link('changed but not scheduled')];
    writer.flushPending();
    expect(setItem).not.toHaveBeenCalled();
    setItem.mockRestore();
  });

  it('writes a scheduled change at once when the page is left, and only once', () => {
    vi.useFakeTimers();
    let links = [link('one')];
    const writer = snapshotWriter(UID, () => ({ links, devices: [] }));
    writer.schedule();
    links = [link('two')];
    writer.flushPending();
    expect(loadSnapshot(UID)?.links).toEqual([link('two')]);
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    vi.runAllTimers();
    expect(setItem).not.toHaveBeenCalled();
    setItem.mockRestore();
  });

  it('cancel drops a pending write', () => {
    vi.useFakeTimers();
    const writer = snapshotWriter(UID, () => ({ links: [link('one')], devices: [] }));
    writer.soon();
    writer.cancel();
    vi.runAllTimers();
    writer.flushPending();
    expect(loadSnapshot(UID)).toBeNull();
  });
});
