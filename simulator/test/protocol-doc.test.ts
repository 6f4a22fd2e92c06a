import { readFileSync } from 'node:fs';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { nextMessage, serviceClient, startTestBroker } from '@esp32cloud/broker/testing';
import {
  ackPayloadSchema,
  CATALOGUE,
  controlPayloadSchema,
  DEVICE_TYPES,
  type DeviceType,
  decodePayload,
  deviceAcl,
  flashConfigSchema,
  heartbeatPayloadSchema,
  isValidSerial,
  LAST_WILL_PAYLOAD,
  logPayloadSchema,
  parseCommand,
  RELAY_PINS,
  resetPayloadSchema,
  statusPayloadFor,
  statusPayloadSchema,
  topics,
} from '@esp32cloud/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedDevice } from '../src/index.ts';

// docs/DEVICE_PROTOCOL.md is the firmware team's contract; these tests keep it true: every example in it is
// accepted by the cloud's schemas, it names every catalogue command, and the simulator (the reference device)
// sends what it documents.

const doc = readFileSync(new URL('../../docs/DEVICE_PROTOCOL.md', import.meta.url), 'utf8');

interface Example {
  kind: string;
  type: DeviceType | null;
  json: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const match of doc.matchAll(/```json ([a-z]+)(?: (\w+))?\n([\s\S]*?)```/g)) {
    out.push({ kind: match[1], type: (match[2] as DeviceType) ?? null, json: match[3].trim() });
  }
  return out;
}

describe('docs/DEVICE_PROTOCOL.md', () => {
  it('has examples of every payload and every device type', () => {
    const kinds = new Set(examples().map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['ack', 'control', 'flash', 'heartbeat', 'log', 'reset', 'status']);
    for (const type of DEVICE_TYPES) {
      expect(
        examples().some((e) => e.kind === 'status' && e.type === type),
        type,
      ).toBe(true);
      expect(
        examples().some((e) => e.kind === 'control' && e.type === type),
        type,
      ).toBe(true);
    }
  });

  it('every example validates against the protocol schemas', () => {
    for (const example of examples()) {
      const label = `${example.kind} ${example.type ?? ''}: ${example.json}`;
      switch (example.kind) {
        case 'flash': {
          const flash = flashConfigSchema.parse(JSON.parse(example.json));
          expect(isValidSerial(flash.serial_number), label).toBe(true);
          break;
        }
        case 'status':
          expect(
            decodePayload(example.type ? statusPayloadFor(example.type) : statusPayloadSchema, example.json)
              .ok,
            label,
          ).toBe(true);
          break;
        case 'heartbeat':
          expect(decodePayload(heartbeatPayloadSchema, example.json).ok, label).toBe(true);
          break;
        case 'control': {
          const control = decodePayload(controlPayloadSchema, example.json);
          expect(control.ok, label).toBe(true);
          expect(parseCommand(example.type as DeviceType, JSON.parse(example.json)).ok, label).toBe(true);
          break;
        }
        case 'ack':
          expect(decodePayload(ackPayloadSchema, example.json).ok, label).toBe(true);
          break;
        case 'log':
          expect(decodePayload(logPayloadSchema, example.json).ok, label).toBe(true);
          break;
        case 'reset':
          expect(decodePayload(resetPayloadSchema, example.json).ok, label).toBe(true);
          break;
        default:
          throw new Error(`an example of an unknown kind: ${label}`);
      }
    }
  });

  it('documents the last will, every topic of the ACL, every command and the relay pins', () => {
    const statuses = examples().filter((e) => e.kind === 'status' && e.type === null);
    expect(statuses.map((e) => JSON.parse(e.json))).toContainEqual(LAST_WILL_PAYLOAD);
    const acl = deviceAcl('SERIAL');
    for (const topic of [...acl.publish, ...acl.subscribe])
      expect(doc).toContain(`\`${topic.replace('SERIAL', '{serial}')}\``);
    for (const type of DEVICE_TYPES) {
      // A row of the commands table (Biome pads the cells).
      for (const command of Object.keys(CATALOGUE[type].commands))
        expect(doc).toMatch(new RegExp(`\\n\\| \`${command}\` +\\|`));
      for (const output of CATALOGUE[type].outputs) expect(doc).toContain(`\`${output.key}\``);
      for (const reading of CATALOGUE[type].readings) expect(doc).toContain(`\`${reading.key}\``);
    }
    expect(doc).toContain(RELAY_PINS.join(', '));
  });
});

describe('the simulator sends what the document says', () => {
  let running: Awaited<ReturnType<typeof startTestBroker>>;
  let observer: MqttClient;
  let relay: MqttClient;

  beforeAll(async () => {
    running = await startTestBroker('embedded');
    const admin = await BrokerAdmin.connect({ url: running.broker.url, ...running.broker.adminCredentials });
    await admin.addDevice({ serial: 'ESP3200001234M', password: 'per-device-secret-from-the-factory' });
    await admin.close();
    observer = await serviceClient(running.broker, 'admin');
    await observer.subscribeAsync(['devices/#', 'admin/devices/#'], { qos: 1 });
    relay = await serviceClient(running.broker, 'functionsRelay');
  });
  afterAll(async () => {
    observer?.end(true);
    relay?.end(true);
    await running?.stop();
  });

  it('boots, reports, obeys the documented commands and answers a bad one as documented', async () => {
    const flash = flashConfigSchema.parse(
      JSON.parse(examples().find((e) => e.kind === 'flash')?.json ?? '{}'),
    );
    const serial = flash.serial_number;
    const seen: Array<{ topic: string; payload: string }> = [];
    observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    const booted = nextMessage(observer, (t, p) => t === topics.logs(serial) && p.includes('booted'));
    const device = startSimulatedDevice(flash, { brokerUrl: running.broker.url, msPerSecond: 10 });
    await device.waitConnected(5000);
    await booted;
    await nextMessage(observer, (t) => t === topics.heartbeat(serial));

    for (const example of examples().filter((e) => e.kind === 'control' && e.type === '4Relay')) {
      const id = JSON.parse(example.json).id as string;
      const ack = nextMessage(observer, (t, p) => t === topics.ack(serial) && p.includes(id));
      await relay.publishAsync(topics.control(serial), example.json, { qos: 1 });
      expect(JSON.parse((await ack).payload)).toMatchObject({ v: 1, id, ok: true });
    }
    const bad = nextMessage(observer, (t, p) => t === topics.ack(serial) && p.includes('bad-pin'));
    await relay.publishAsync(
      topics.control(serial),
      '{"v":1,"id":"bad-pin","command":"relay","pin":13,"state":"on"}',
      { qos: 1 },
    );
    expect(JSON.parse((await bad).payload)).toMatchObject({ ok: false, error: { code: 'invalid_command' } });

    // A factory reset by the button: the documented report on the reset topic, once, then a fresh status.
    const reported = nextMessage(observer, (t) => t === topics.reset(serial));
    const resetId = await device.factoryReset();
    const report = decodePayload(resetPayloadSchema, (await reported).payload);
    expect(report).toMatchObject({ ok: true, value: { v: 1, kind: 'factory', reset_id: resetId } });
    expect(device.state().outputs).toEqual({ relay1: false, relay2: false, relay3: false, relay4: false });

    await device.stop();
    // Everything it sent validates; the status is retained and the offline one matches the last will.
    for (const message of seen) {
      const schema =
        message.topic === topics.status(serial)
          ? statusPayloadFor('4Relay')
          : message.topic === topics.heartbeat(serial)
            ? heartbeatPayloadSchema
            : message.topic === topics.ack(serial)
              ? ackPayloadSchema
              : message.topic === topics.logs(serial)
                ? logPayloadSchema
                : message.topic === topics.reset(serial)
                  ? resetPayloadSchema
                  : null;
      if (schema) expect(decodePayload(schema as never, message.payload).ok, message.payload).toBe(true);
    }
    expect(seen.filter((m) => m.topic === topics.status(serial)).at(-1)?.payload).toBe(
      JSON.stringify(LAST_WILL_PAYLOAD),
    );
  });
});
