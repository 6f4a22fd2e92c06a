import {
  bridgeProcessEnv,
  functionsBrokerEnv,
  type RunningBroker,
  type StartBrokerOptions,
  startBroker,
} from '@esp32cloud/broker';
import { startChildPart } from './child-part.ts';
import { type PartRun, type PartStatus, type SupervisedPart, supervise } from './supervisor.ts';

// The MQTT side of `npm start`, supervised: the broker (Mosquitto when installed, else the embedded one), the
// ingest bridge and the simulated fleet each restart by themselves when they die (scripts/start/supervisor.ts).
// The bridge and the fleet run as processes of their own, as in production, so they can be killed one by one.
// Ports and credentials stay the same across restarts (the broker keeps them in its data directory).

export interface SupervisedBackboneOptions {
  broker: StartBrokerOptions;
  projectId: string;
  /** host:port of the Firestore emulator. */
  firestoreHost: string;
  /** Extra bridge environment (SMTP_URL, APP_URL, API_URL for alert delivery). */
  bridgeEnv?: Record<string, string>;
}

export interface SupervisedBackbone {
  /** The broker as first started (URLs, credentials, TLS files stay valid across restarts). */
  broker: RunningBroker;
  /** Where services and devices connect: mqtts:// when TLS runs, else the plain URL. */
  serviceUrl: string;
  /** MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, MQTT_CA_FILE, BROKER_ADMIN_URL, DEVICE_BROKER_URL for the functions. */
  functionsEnv: Record<string, string>;
  /** Runs the simulated devices of a provisioning directory, supervised too. */
  startFleet(devicesDir: string): Promise<void>;
  parts(): PartStatus[];
  /** No more restarts (the stack is stopping). */
  halt(): void;
  stop(): Promise<void>;
}

export async function startSupervisedBackbone(
  options: SupervisedBackboneOptions,
): Promise<SupervisedBackbone> {
  let broker: RunningBroker | null = null;
  const brokerRun = async (): Promise<PartRun> => {
    const running = await startBroker(options.broker);
    broker ??= running;
    return {
      pid: running.pid,
      exited: running.exited.then(() => `${running.kind} exited`),
      stop: () => running.stop(),
    };
  };
  const parts: SupervisedPart[] = [];
  const stopAll = async () => {
    for (const part of parts) part.halt();
    for (const part of [...parts].reverse()) await part.stop().catch(() => undefined);
  };
  try {
    parts.push(await supervise('broker', brokerRun));
    const first = broker as unknown as RunningBroker;
    const serviceUrl = first.tlsUrl ?? first.url;
    const caFile = first.tls?.caFile;
    const bridgeEnv: Record<string, string> = {
      ...options.bridgeEnv,
      ...bridgeProcessEnv(first, { serviceUrl }),
      GCLOUD_PROJECT: options.projectId,
      FIRESTORE_EMULATOR_HOST: options.firestoreHost,
    };
    parts.push(
      await supervise('bridge', () =>
        startChildPart({ script: 'bridge/src/main.ts', env: bridgeEnv, ready: /"bridge ready"/ }),
      ),
    );
    return {
      broker: first,
      serviceUrl,
      functionsEnv: functionsBrokerEnv(first, serviceUrl),
      async startFleet(devicesDir) {
        const args = ['--from', devicesDir, '--broker', serviceUrl, ...(caFile ? ['--ca', caFile] : [])];
        parts.push(
          await supervise('devices', () =>
            startChildPart({
              script: 'simulator/src/cli.ts',
              args,
              env: {},
              ready: /"simulated fleet started"/,
            }),
          ),
        );
      },
      parts: () => parts.map((part) => part.status()),
      halt: () => {
        for (const part of parts) part.halt();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
