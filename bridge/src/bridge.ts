import { EventEmitter } from 'node:events';
import {
  BRIDGE_FILTERS,
  controlPayloadSchema,
  type DeviceTopicKind,
  decodePayload,
  parseControlTopic,
  parseDeviceTopic,
  sharedSubscription,
} from '@esp32cloud/protocol';
import mqtt, { type IClientOptions } from 'mqtt';
import type { BridgeConfig } from './config.ts';
import {
  type BridgeContext,
  type BridgeFeature,
  type DeviceMessageHandler,
  drop,
  emptyStats,
  type IngestStats,
} from './context.ts';
import { deferPubacks } from './deferred-acks.ts';
import { DeviceDirectory } from './device-directory.ts';
import { DeviceQueues } from './device-queues.ts';
import { BridgeEvents } from './events.ts';
import { acks } from './features/acks.ts';
import { alertDelivery } from './features/alert-delivery.ts';
import { alertEvaluation } from './features/alerts.ts';
import { commandTimeouts } from './features/command-timeouts.ts';
import { factoryReset } from './features/factory-reset.ts';
import { heartbeat } from './features/heartbeat.ts';
import { deviceHistory } from './features/history.ts';
import { deviceLogs } from './features/logs.ts';
import { staleCommands } from './features/stale-commands.ts';
import { statusIngest } from './features/status.ts';
import { statusHistory } from './features/status-history.ts';
import { openFirestore } from './firestore.ts';
import { ingestSafely } from './ingest.ts';
import { bridgeLogs } from './logs.ts';
import { WriteBatcher } from './write-batcher.ts';

// The long-running ingest bridge's core (Zigbee2MQTT's controller shape): one persistent MQTT session (MQTT 5
// shared subscription, so instances can be added), one ordered queue per device, and the list of features
// that do the work, one file each under features/ (status ingest, heartbeat/offline detection, acks, device
// logs, command timeouts, device history, factory-reset reports, alert evaluation and delivery). A bad message is
// logged and dropped; nothing it contains can stop the bridge.

export interface RunningBridge {
  stats(): IngestStats;
  /** Writes the device history (and daily counters) gathered so far, current hour included (also at stop). */
  flushUsage(): Promise<void>;
  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void>;
  /**
   * Stops after handling what was received. The persistent session stays, so a restart of this instance
   * (same client id) gets the QoS 1 messages sent meanwhile. `leaveGroup` is for scaling down for good: it
   * unsubscribes first, or the broker would keep queueing this instance's share of the shared subscription.
   */
  stop(options?: { leaveGroup?: boolean }): Promise<void>;
}

function mqttDebugEnabled(): boolean {
  return /mqttjs|(^|,)\*/.test(process.env.DEBUG ?? '');
}

export interface StartBridgeOptions {
  /** Bound on the first connection (later drops reconnect forever). */
  connectTimeoutMs?: number;
  /** The bridge's clock (ms since the epoch); tests pass one they control to simulate a day quickly. */
  clock?: () => number;
}

export async function startBridge(
  config: BridgeConfig,
  options: StartBridgeOptions = {},
): Promise<RunningBridge> {
  const firestore = openFirestore(config.projectId);
  const stats = emptyStats();
  let resumeReading: (() => void) | null = null;
  const queues = new DeviceQueues(
    (serial, error) => bridgeLogs.handlerFailed(serial, error),
    () => {
      if (resumeReading && queues.size <= config.maxQueuedMessages / 2) {
        const resume = resumeReading;
        resumeReading = null;
        resume();
      }
    },
  );

  const connectOptions: IClientOptions = {
    clientId: config.clientId,
    ...(config.ca ? { ca: config.ca } : {}),
    username: config.username,
    password: config.password,
    protocolVersion: config.protocolVersion,
    clean: false,
    // The bridge subscribes itself on every connect (below). mqtt.js's own resubscribe would remember the
    // filters and then skip that SUBSCRIBE as a duplicate (granting nothing) whenever the broker says
    // "session present", trusting the session to hold them; Mosquitto 2.0 restores a session from its
    // persistence file without its shared subscriptions, so the bridge stayed connected but deaf after a
    // broker restart (docs/RELIABILITY.md, "Broker restart and shared subscriptions").
    resubscribe: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    // mqtt.js calls its `debug` logger several times per packet even when nothing listens (issue #21's profile);
    // DEBUG=mqttjs* still turns it on for troubleshooting.
    ...(mqttDebugEnabled() ? {} : { log: () => undefined }),
    ...(config.protocolVersion === 5
      ? {
          // Acks are held until a message is handled (deferred-acks.ts): room for many devices' messages at once.
          properties: { sessionExpiryInterval: config.sessionExpirySeconds, receiveMaximum: 1000 },
        }
      : {}),
  };
  const client = mqtt.connect(config.mqttUrl, connectOptions);
  const acksToBroker = deferPubacks(client);
  // Back-pressure: mqtt.js reads the next packet only once this calls back, so past maxQueuedMessages
  // unhandled messages the bridge stops reading its socket until half have been handled; meanwhile the broker
  // keeps the messages in this instance's session.
  /**
   * Set by stop(): messages read from then on are neither handled nor acknowledged (the broker keeps them for
   * the session), so the queues can empty while devices keep publishing and the socket still reads to its end.
   */
  let refusing = false;
  client.handleMessage = (_packet, callback) => {
    if (refusing) callback(new Error('bridge stopping'));
    else if (queues.size < config.maxQueuedMessages) callback();
    else resumeReading = () => callback();
  };

  const ctx: BridgeContext = {
    db: firestore.db,
    config,
    directory: new DeviceDirectory(firestore.db, config.directoryTtlMs),
    stats,
    events: new BridgeEvents(),
    writer: new WriteBatcher(firestore.db),
    enqueue(serial, task) {
      queues.enqueue(serial, task);
    },
    publishRetained(topic, payload) {
      client.publish(topic, payload, { qos: 0, retain: true });
    },
    now: options.clock ?? (() => Date.now()),
  };

  // The feature list: one file each under features/. Order matters only for the event bus listeners.
  const history = deviceHistory(ctx);
  const features: BridgeFeature[] = [
    history,
    statusIngest(ctx),
    heartbeat(ctx),
    acks(ctx),
    deviceLogs(ctx),
    commandTimeouts(ctx),
    staleCommands(ctx),
    ...(config.alerts.enabled ? [alertEvaluation(ctx), alertDelivery(ctx)] : []),
    factoryReset(ctx),
    statusHistory(ctx),
  ];
  const handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>> = {};
  for (const feature of features) Object.assign(handlers, feature.handles);

  client.on('message', (topic, payload, packet) => {
    if (refusing) return;
    stats.received++;
    const handled = acksToBroker.received(packet);
    // Device topics first: they are nearly all the traffic, and parseDeviceTopic refuses control topics.
    const parsed = parseDeviceTopic(topic);
    if (!parsed) {
      const controlled = parseControlTopic(topic);
      if (controlled) {
        const control = decodePayload(controlPayloadSchema, payload);
        if (control.ok) ctx.events.emit('commandSent', controlled, control.value.id);
      } else drop(ctx, topic, 'not a device topic', 'topic');
      handled();
      return;
    }
    const incoming = { topic, parsed, payload, receivedAt: ctx.now() };
    queues.enqueue(parsed.serial, () => ingestSafely(ctx, handlers, incoming), handled);
  });

  const shared = (filter: string) =>
    config.shareGroup ? sharedSubscription(config.shareGroup, filter) : filter;
  const { control: controlFilter, ...deviceFilters } = BRIDGE_FILTERS;
  const filters = Object.values(deviceFilters).map(shared);
  const allFilters = [...filters, shared(controlFilter)];
  // Subscribe on every connect, even with a session present: a session saved before its SUBACK has no
  // subscriptions, Mosquitto restores a persisted session without its shared ones, and a deaf bridge is the
  // worst failure. With MQTT 5, retain-handling 1 avoids a replay of
  // retained statuses for a subscription that already exists; with 3.1.1 the replay is coalesced (no writes).
  const subscribed = new EventEmitter();
  client.on('connect', (connack) => {
    bridgeLogs.connected(config.mqttUrl, config.clientId, connack.sessionPresent);
    const options = config.protocolVersion === 5 ? { qos: 1 as const, rh: 1 } : { qos: 1 as const };
    client.subscribe(filters, options, (error) => {
      if (error) {
        bridgeLogs.connectionLost(`subscribe failed: ${error.message}`);
        subscribed.emit('failed', error);
      } else subscribed.emit('ok');
    });
    // Reading control only serves command timeouts: a broker role without it is not fatal.
    client.subscribe(shared(controlFilter), options, (error) => {
      if (error)
        bridgeLogs.connectionLost(`control subscription refused (no command timeouts): ${error.message}`);
    });
  });
  client.on('error', (error) => bridgeLogs.connectionLost(error.message));

  await new Promise<void>((resolve, reject) => {
    const timeoutMs = options.connectTimeoutMs ?? 15_000;
    const timer = setTimeout(() => {
      client.end(true);
      void firestore.close();
      reject(new Error(`bridge: not subscribed within ${timeoutMs} ms`));
    }, timeoutMs);
    subscribed.once('ok', () => {
      clearTimeout(timer);
      resolve();
    });
    subscribed.once('failed', (error: Error) => {
      clearTimeout(timer);
      client.end(true);
      void firestore.close();
      reject(error);
    });
  });

  for (const feature of features) feature.start?.();
  const flushFeatures = async () => {
    for (const feature of features) await feature.flush?.();
  };

  let stopping: Promise<void> | null = null;
  /** Until nothing is in flight: only for stop(), once no message is taken any more. */
  const drain = async () => {
    while (queues.size > 0) await queues.idle();
  };
  // What was received so far, not what arrives meanwhile: with devices publishing faster than Firestore takes
  // writes, "nothing in flight" may never come (bridge.test's restart case waited past its 60 s for it).
  const idle = () => queues.idle();

  return {
    stats: () => ({ ...stats, droppedBy: { ...stats.droppedBy } }),
    idle,
    flushUsage: history.flush,
    stop({ leaveGroup = false } = {}) {
      stopping ??= (async () => {
        for (const feature of features) feature.stop?.();
        if (leaveGroup && client.connected) await client.unsubscribeAsync(allFilters).catch(() => undefined);
        // Stop taking messages, finish those taken while still connected so their acks reach the broker, then
        // leave the session for the next start (the broker delivers what was refused again). Taking stops
        // first: with devices publishing faster than Firestore takes writes the queues never empty, and a
        // stop that waited for that hung (bridge/test/bridge-stop.test.ts).
        refusing = true;
        const resume = resumeReading;
        resumeReading = null;
        resume?.();
        await drain();
        await client.endAsync();
        await drain();
        await flushFeatures();
        await firestore.close();
        bridgeLogs.stopped();
      })();
      return stopping;
    },
  };
}
