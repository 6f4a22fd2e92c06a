import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from '../../scripts/soak/rig.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// The soak's bulk provisioning (scripts/soak/bulk-provision.ts): 50 devices made at once, their registry
// records by the provision CLI's own code and their broker accounts written into the dynamic-security file
// with the broker stopped. Every device then connects with its own credentials; a wrong password and another
// device's client id are refused.

const kind = brokerUnderTest('bulk provisioning');
process.env.BROKER_LOG ??= 'silent';

function connect(rig: Rig, options: { username: string; password: string; clientId: string }) {
  return new Promise<'connected' | 'refused'>((resolve) => {
    const client = mqtt.connect(rig.broker.url, {
      ...options,
      protocolVersion: rig.broker.mqttVersion,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    client.once('connect', () => {
      client.end(true);
      resolve('connected');
    });
    client.once('error', () => {
      client.end(true);
      resolve('refused');
    });
  });
}

describe(`bulk provisioning of 50 devices (${kind})`, () => {
  let rig: Rig;
  let made: Awaited<ReturnType<Rig['provisionBulk']>>;

  beforeAll(async () => {
    rig = await startRig({ kind });
    made = await rig.provisionBulk(50);
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it('creates the registry records as the provision CLI does, marked registered with the broker', async () => {
    expect(made.configs).toHaveLength(50);
    const ids = made.configs.map((c) => c.device_id);
    const devices = await rig.db.getAll(...ids.map((id) => rig.db.doc(`devices/${id}`)));
    const secrets = await rig.db.getAll(...ids.map((id) => rig.db.doc(`device_secrets/${id}`)));
    expect(devices.every((d) => d.exists && d.get('status') === 'available')).toBe(true);
    expect(secrets.every((s) => s.get('broker_registered') === true)).toBe(true);
    const file = JSON.parse(readFileSync(rig.broker.dynsecFile, 'utf8')) as {
      clients: Array<{ username: string; password?: string; clientid?: string }>;
    };
    const account = file.clients.find((c) => c.username === made.configs[0].username);
    expect(account?.clientid).toBe(made.configs[0].serial_number);
    expect(account?.password).not.toBe(made.configs[0].password);
  });

  it('lets every device connect with its own credentials and refuses a wrong password or client id', async () => {
    const outcomes = await Promise.all(
      made.configs.map((c) =>
        connect(rig, { username: c.username, password: c.password, clientId: c.serial_number }),
      ),
    );
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(50);
    const [first, second] = made.configs;
    expect(
      await connect(rig, {
        username: first.username,
        password: `${first.password}x`,
        clientId: first.serial_number,
      }),
    ).toBe('refused');
    expect(
      await connect(rig, {
        username: first.username,
        password: first.password,
        clientId: second.serial_number,
      }),
    ).toBe('refused');
  }, 60_000);
});
