import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type RunningBridge, startBridge } from '@esp32cloud/bridge';
import {
  type BrokerKind,
  bridgeConnection,
  functionsBrokerEnv,
  type RunningBroker,
  startBroker,
} from '@esp32cloud/broker';
import type { CreateDeviceResponse, DeviceType } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { assertBrokerKind } from '../harness/broker-kind.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { operatorToken, provisionDevice } from './operator.ts';

// Everything the customer journey touches, on free ports: an MQTT broker of the kind the caller names (see
// brokerUnderTest in tests/harness/broker-kind.ts), Auth + Functions emulators with the functions' MQTT relay pointed at the broker, the Firestore
// emulator, the ingest bridge, the web app's test server — and simulated devices started on demand, as if
// the customer plugged them in.

export interface DeviceStack {
  stack: Stack;
  broker: RunningBroker;
  web: WebServer;
  provision(type?: DeviceType): Promise<CreateDeviceResponse>;
  /** Powers a provisioned device on (connects to the broker with its own credentials). */
  plugIn(device: CreateDeviceResponse): Promise<SimulatedDevice>;
  stop(): Promise<void>;
}

export async function startDeviceStack(brokerKind: BrokerKind): Promise<DeviceStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-broker-'));
  const stops: Array<() => Promise<unknown>> = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const broker = await startBroker({ kind: brokerKind, port: 0, dataDir });
    stops.push(() => broker.stop());
    assertBrokerKind(broker, brokerKind);
    const stack = await startStack({
      firestore: true,
      firebase: ['auth', 'functions'],
      functionsEnv: functionsBrokerEnv(broker),
    });
    stops.push(() => stack.stop());
    // The bridge's Admin SDK finds the Firestore emulator through FIRESTORE_EMULATOR_HOST.
    useStackEnv(stack);
    const bridge: RunningBridge = await startBridge({
      ...configFromEnv({}),
      ...bridgeConnection(broker),
      projectId: stack.projectId,
    });
    stops.push(() => bridge.stop());
    const web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    stops.push(() => web.stop());
    const operator = await operatorToken(stack.authHost!, stack.projectId);
    const devices: SimulatedDevice[] = [];
    stops.push(async () => {
      for (const device of devices) await device.stop({ graceful: false }).catch(() => undefined);
    });

    return {
      stack,
      broker,
      web,
      async provision(type: DeviceType = '4Relay') {
        const provisioned = await provisionDevice(stack.apiUrl!, operator, type);
        // The API registers the device's own broker credentials through the dynamic-security admin.
        if (!provisioned.broker_registered)
          throw new Error('POST /api/devices did not register broker credentials');
        return provisioned;
      },
      async plugIn(provisioned) {
        const device = startSimulatedDevice(provisioned.flash_config, { brokerUrl: broker.url });
        devices.push(device);
        await device.waitConnected(15_000);
        return device;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
