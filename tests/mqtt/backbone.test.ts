import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAdmin } from '@esp32cloud/broker';
import { freePort } from '@esp32cloud/broker/free-port';
import { waitFor } from '@esp32cloud/broker/testing';
import { start as startFirestore } from '@esp32cloud/firestore-emulator';
import { CommandRelay, RelayUnavailableError } from '@esp32cloud/functions/command-relay';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupervisedBackbone, startSupervisedBackbone } from '../../scripts/start/supervised-backbone.ts';
import { assertBrokerKind, brokerUnderTest } from '../harness/broker-kind.ts';

// What `npm start` runs for MQTT (scripts/start/supervised-backbone.ts): broker + bridge + the simulated devices
// of a provisioning directory, each its own supervised part, and the functions-side relay using the
// credentials the backbone hands to the functions.

const kind = brokerUnderTest('local MQTT backbone');

describe(`local MQTT backbone on ${kind}`, () => {
  let firestore: Awaited<ReturnType<typeof startFirestore>>;
  let backbone: SupervisedBackbone;
  let db: Firestore;
  let dataDir: string;
  let fleetDir: string;
  const projectId = `demo-backbone-${Math.random().toString(36).slice(2, 8)}`;
  const app = initializeApp({ projectId }, `backbone-${projectId}`);

  beforeAll(async () => {
    firestore = await startFirestore({ host: '127.0.0.1', port: 0, projectId, quiet: true });
    process.env.FIRESTORE_EMULATOR_HOST = firestore.hostAndPort;
    db = getFirestore(app);
    dataDir = mkdtempSync(join(tmpdir(), 'backbone-broker-'));
    fleetDir = mkdtempSync(join(tmpdir(), 'backbone-fleet-'));
    backbone = await startSupervisedBackbone({
      broker: { kind, port: 0, dataDir },
      projectId,
      firestoreHost: firestore.hostAndPort,
    });
    assertBrokerKind(backbone.broker, kind);
    // Provision two devices the way the provision CLI does: documents, broker credentials, flash files.
    const admin = await BrokerAdmin.connect({
      url: backbone.broker.url,
      ...backbone.broker.adminCredentials,
    });
    for (const serial of ['BBONE00001', 'BBONE00002']) {
      const deviceId = `ESP32_${serial.slice(-6)}`;
      await db.doc(`devices/${deviceId}`).set({
        device_id: deviceId,
        serial_number: serial,
        device_type: '4Relay',
        status: 'registered',
        state: { online: false, last_seen: null, outputs: {}, readings: {} },
      });
      await admin.addDevice({ serial, password: `pw-${serial}` });
      writeFileSync(
        join(fleetDir, `${serial}.json`),
        JSON.stringify({
          v: 1,
          serial_number: serial,
          device_id: deviceId,
          device_type: '4Relay',
          broker_url: backbone.broker.url,
          username: serial,
          password: `pw-${serial}`,
          update_interval: 30,
        }),
      );
    }
    await admin.close();
  });
  afterAll(async () => {
    await backbone?.stop();
    await deleteApp(app);
    await firestore?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(fleetDir, { recursive: true, force: true });
  });

  it('brings a provisioned fleet online and relays a command with the functions credentials', async () => {
    await backbone.startFleet(fleetDir);
    expect(backbone.parts().map((part) => part.name)).toEqual(['broker', 'bridge', 'devices']);
    for (const id of ['ESP32_E00001', 'ESP32_E00002']) {
      await waitFor(
        async () => (await db.doc(`devices/${id}`).get()).get('state.online') === true,
        10_000,
        id,
      );
    }

    const env = backbone.functionsEnv;
    const relay = new CommandRelay({
      url: env.MQTT_URL,
      username: env.MQTT_USERNAME,
      password: env.MQTT_PASSWORD,
      connectTimeoutMs: 2000,
      publishTimeoutMs: 2000,
    });
    await db.doc('devices/ESP32_E00001/commands/relay-1').set({ id: 'relay-1', status: 'sent' });
    await relay.publish('devices/BBONE00001/control', '{"v":1,"id":"relay-1","command":"all","state":"on"}');
    await waitFor(
      async () => (await db.doc('devices/ESP32_E00001/commands/relay-1').get()).get('status') === 'acked',
    );
    // The ack and the device's report of its outputs are separate writes: wait for the report too.
    const allOn = { relay1: true, relay2: true, relay3: true, relay4: true };
    await waitFor(async () => {
      const outputs = (await db.doc('devices/ESP32_E00001').get()).get('state.outputs');
      return JSON.stringify(outputs) === JSON.stringify(allOn);
    });
    expect((await db.doc('devices/ESP32_E00001').get()).get('state.outputs')).toEqual(allOn);
    await relay.close();
  });

  it('the relay fails fast with RelayUnavailableError when no broker answers or credentials are wrong', async () => {
    const nobody = new CommandRelay({
      url: `mqtt://127.0.0.1:${await freePort()}`,
      username: 'functions-relay',
      password: 'x',
      connectTimeoutMs: 1000,
      publishTimeoutMs: 1000,
    });
    await expect(nobody.publish('devices/X/control', '{}')).rejects.toBeInstanceOf(RelayUnavailableError);
    const wrong = new CommandRelay({
      url: backbone.broker.url,
      username: 'functions-relay',
      password: 'wrong',
      connectTimeoutMs: 1000,
      publishTimeoutMs: 1000,
    });
    await expect(wrong.publish('devices/X/control', '{}')).rejects.toBeInstanceOf(RelayUnavailableError);
  });
});
