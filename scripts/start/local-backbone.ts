import { type AlertDeliveryConfig, configFromEnv, type RunningBridge, startBridge } from '@esp32cloud/bridge';
import {
  type BrokerKind,
  bridgeConnection,
  functionsBrokerEnv,
  type RunningBroker,
  startBroker,
} from '@esp32cloud/broker';
import { readFlashConfigs, type SimulatedFleet, startFleet } from '@esp32cloud/simulator';

// The MQTT side of `npm start` in one call: the broker (Mosquitto when installed, else the embedded one), the
// ingest bridge pointed at the local Firestore emulator, and optionally the simulated devices of a provisioning
// directory. Returns the environment the functions need to reach the broker.

export interface LocalBackboneOptions {
  dataDir: string;
  host?: string;
  mqttPort: number;
  wsPort?: number;
  /** MQTT over TLS (the bridge, the simulated devices and the functions relay use it); 0 → a free port. */
  tlsPort?: number;
  /** MQTT over secure WebSockets; omitted → none. */
  wssPort?: number;
  kind?: BrokerKind | 'auto';
  projectId: string;
  /** host:port of the Firestore emulator (sets FIRESTORE_EMULATOR_HOST for the bridge). */
  firestoreHost: string;
  /** A provision CLI output directory whose devices are simulated. */
  fleetDir?: string;
  /** update_interval for simulated devices (seconds); default: as flashed. */
  fleetInterval?: number;
  /** Alert delivery settings for the bridge (SMTP URL of the mail catcher, app and API origins). */
  alerts?: Partial<AlertDeliveryConfig>;
}

export interface LocalBackbone {
  broker: RunningBroker;
  bridge: RunningBridge;
  fleet: SimulatedFleet | null;
  /** Where services and devices connect: mqtts:// when TLS runs, else the plain URL. */
  serviceUrl: string;
  /** The local CA certificate (PEM) that issued the broker's, when TLS runs. */
  ca: string | undefined;
  /**
   * MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, MQTT_CA_FILE, BROKER_ADMIN_URL, DEVICE_BROKER_URL for the
   * functions. The admin URL stays on the loopback plain listener.
   */
  functionsEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalBackbone(options: LocalBackboneOptions): Promise<LocalBackbone> {
  process.env.FIRESTORE_EMULATOR_HOST = options.firestoreHost;
  const broker = await startBroker({
    kind: options.kind ?? 'auto',
    host: options.host,
    port: options.mqttPort,
    wsPort: options.wsPort,
    tlsPort: options.tlsPort,
    wssPort: options.wssPort,
    dataDir: options.dataDir,
  });
  const serviceUrl = broker.tlsUrl ?? broker.url;
  const ca = broker.tls?.ca;
  const stops: Array<() => Promise<void>> = [() => broker.stop()];
  try {
    const defaults = configFromEnv({});
    const bridge = await startBridge({
      ...defaults,
      alerts: { ...defaults.alerts, ...options.alerts },
      ...bridgeConnection(broker, { serviceUrl }),
      projectId: options.projectId,
    });
    stops.unshift(() => bridge.stop());
    let fleet: SimulatedFleet | null = null;
    if (options.fleetDir) {
      const configs = readFlashConfigs(options.fleetDir).map((c) =>
        options.fleetInterval ? { ...c, update_interval: options.fleetInterval } : c,
      );
      fleet = startFleet(configs, { brokerUrl: serviceUrl, ...(ca ? { ca } : {}) });
      const running = fleet;
      stops.unshift(() => running.stop());
    }
    return {
      broker,
      bridge,
      fleet,
      serviceUrl,
      ca,
      functionsEnv: functionsBrokerEnv(broker, serviceUrl),
      async stop() {
        for (const stop of stops) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw error;
  }
}
