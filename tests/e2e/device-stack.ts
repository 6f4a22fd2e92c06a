import type { BrokerKind, RunningBroker } from '@esp32cloud/broker';
import type { CreateDeviceResponse, DeviceType } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { type PlatformOptions, startPlatform } from '../harness/platform.ts';
import type { Stack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { operatorToken, provisionDevice } from './operator.ts';

// Everything the customer journey touches, on free ports: the platform of tests/harness/platform.ts (an MQTT
// broker of the kind the caller names, Auth + Functions + Firestore emulators, the ingest bridge), the web
// app's test server, and simulated devices started on demand, as if the customer plugged them in.

export interface DeviceStack {
  stack: Stack;
  broker: RunningBroker;
  web: WebServer;
  provision(type?: DeviceType): Promise<CreateDeviceResponse>;
  /** Powers a provisioned device on (connects to the broker with its own credentials). */
  plugIn(device: CreateDeviceResponse): Promise<SimulatedDevice>;
  stop(): Promise<void>;
}

export async function startDeviceStack(
  brokerKind: BrokerKind,
  options: Pick<PlatformOptions, 'warmFunctionWorkers'> = {},
): Promise<DeviceStack> {
  const platform = await startPlatform({ kind: brokerKind, ...options });
  const { broker, stack } = platform;
  const stops: Array<() => Promise<unknown>> = [() => platform.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
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
