import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  DEVICE_TYPES,
  decodePayload,
  defaultOutputs,
  deviceAcl,
  parseCommand,
  parseDeviceTopic,
  statusPayloadFor,
  topicMatches,
  topics,
} from '../src/index.ts';

describe('device-type catalogue', () => {
  it('accepts the documented relay command and derives the desired output', () => {
    const parsed = parseCommand('4Relay', { command: 'relay', pin: 25, state: 'on' });
    expect(parsed).toEqual({
      ok: true,
      value: { command: 'relay', params: { pin: 25, state: 'on' }, desiredOutputs: { relay1: true } },
    });
    const byIndex = parseCommand('4Relay', { id: 'c1', v: 1, command: 'relay', relay: 4, state: 'off' });
    expect(byIndex.ok && byIndex.value.desiredOutputs).toEqual({ relay4: false });
  });

  it('rejects unknown pins, unknown params, commands of another type and missing fields', () => {
    expect(parseCommand('4Relay', { command: 'relay', pin: 13, state: 'on' }).ok).toBe(false);
    expect(parseCommand('4Relay', { command: 'relay', pin: 25, relay: 1, state: 'on' }).ok).toBe(false);
    expect(parseCommand('4Relay', { command: 'relay', pin: 25, state: 'on', extra: 1 }).ok).toBe(false);
    expect(parseCommand('4Relay', { command: 'led', state: 'on' }).ok).toBe(false);
    expect(parseCommand('LED', { command: 'led' }).ok).toBe(false);
    expect(parseCommand('LED', { command: 'led', brightness: 101 }).ok).toBe(false);
    expect(parseCommand('Sensor', { command: '__proto__' }).ok).toBe(false);
    expect(parseCommand('Sensor', null).ok).toBe(false);
  });

  it('every type has defaults, a set_interval command and a valid default status', () => {
    for (const type of DEVICE_TYPES) {
      expect(CATALOGUE[type].defaults.update_interval).toBeGreaterThan(0);
      expect(parseCommand(type, { command: 'set_interval', seconds: 60 }).ok).toBe(true);
      const status = JSON.stringify({ v: 1, online: true, outputs: defaultOutputs(type) });
      expect(decodePayload(statusPayloadFor(type), status).ok).toBe(true);
    }
    const led = parseCommand('LED', { command: 'led', state: 'on', brightness: 40, color: '#FF8800' });
    expect(led.ok && led.value.desiredOutputs).toEqual({ power: true, brightness: 40, color: '#ff8800' });
  });
});

describe('topics and payloads', () => {
  it('builds and parses device topics and refuses unsafe serials', () => {
    expect(topics.status('ESP32001234')).toBe('devices/ESP32001234/status');
    expect(parseDeviceTopic('admin/devices/SN1/logs')).toEqual({ kind: 'logs', serial: 'SN1' });
    expect(parseDeviceTopic('devices/SN1/control')).toBeNull();
    expect(() => topics.control('a/b')).toThrow();
    expect(() => topics.control('+')).toThrow();
    expect(deviceAcl('SN1').subscribe).toEqual(['devices/SN1/control']);
    expect(topicMatches('devices/+/status', 'devices/SN1/status')).toBe(true);
    expect(topicMatches('admin/#', 'admin/devices/x/logs')).toBe(true);
    expect(topicMatches('devices/+/status', 'devices/SN1/status/x')).toBe(false);
    expect(topicMatches('#', '$CONTROL/dynamic-security/v1')).toBe(false);
    expect(topicMatches('$CONTROL/#', '$CONTROL/dynamic-security/v1')).toBe(true);
  });

  it('rejects wrong versions, outputs of another type and out-of-range readings', () => {
    expect(decodePayload(statusPayloadFor('4Relay'), '{"v":2,"online":true}').ok).toBe(false);
    expect(
      decodePayload(statusPayloadFor('4Relay'), '{"v":1,"online":true,"outputs":{"power":true}}').ok,
    ).toBe(false);
    expect(
      decodePayload(statusPayloadFor('Sensor'), '{"v":1,"online":true,"readings":{"humidity":140}}').ok,
    ).toBe(false);
    expect(decodePayload(statusPayloadFor('Sensor'), 'x'.repeat(9000)).ok).toBe(false);
  });
});
