import { EventEmitter } from 'node:events';
import {
  BRIDGE_FILTERS,
  controlPayloadSchema,
  decodePayload,
  encodePayload,
  parseControlTopic,
  parseDeviceTopic,
  sharedSubscription,
  topics,
} from '@esp32cloud/protocol';
import mqtt, { type IClientOptions } from 'mqtt';
import { CommandTimeouts, expireCommand } from './command-timeouts.ts';
import type { BridgeConfig } from './config.ts';
import { DeviceDirectory } from './device-directory.ts';
import { openFirestore } from './firestore.ts';
import {
  drop,
  emptyStats,
  type IngestContext,
  type IngestStats,
  ingest,
  markSilentDevicesOffline,
} from './ingest.ts';
import { bridgeLogs } from './logs.ts';
import { UsageAggregator } from './usage.ts';

// The long-running ingest bridge: one persistent MQTT session (MQTT 5 shared subscription, so instances can
// be added), every device message validated and turned into Firestore writes, one ordered queue per device,
// and a sweep that marks silent devices offline. A bad message is logged and dropped; nothing it contains
// can stop the bridge.

export interface RunningBridge {
  stats(): IngestStats;
  /** Writes the usage counted so far (also done every usageFlushMs and at stop). */
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

export interface StartBridgeOptions {
  /** Bound on the first connection (later drops reconnect forever). */
  connectTimeoutMs?: number;
}

export async function startBridge(
  config: BridgeConfig,
  options: StartBridgeOptions = {},
): Promise<RunningBridge> {
  const firestore = openFirestore(config.projectId);
  const directory = new DeviceDirectory(firestore.db, config.directoryTtlMs);
  const stats = emptyStats();
  const queues = new Map<string, Promise<void>>();
  const inflight = new Set<Promise<void>>();

  const connectOptions: IClientOptions = {
    clientId: config.clientId,
    ...(config.ca ? { ca: config.ca } : {}),
    username: config.username,
    password: config.password,
    protocolVersion: config.protocolVersion,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    ...(config.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: config.sessionExpirySeconds } }
      : {}),
  };
  const client = mqtt.connect(config.mqttUrl, connectOptions);

  const usage = new UsageAggregator(firestore.db);
  const timeouts = new CommandTimeouts(config.commandTimeoutMs, (serial, commandId) =>
    enqueue(serial, () => expireCommand(ctx, serial, commandId)),
  );
  const ctx: IngestContext = {
    db: firestore.db,
    config,
    directory,
    stats,
    usage,
    answered: (serial, commandId) => timeouts.answered(serial, commandId),
    now: () => Date.now(),
    republish(uid, serial, status) {
      stats.republished++;
      client.publish(topics.userStatus(uid, serial), encodePayload(status), { qos: 0, retain: true });
    },
  };

  /** Runs `task` after every earlier task of the same device, so a device's writes land in order. */
  const enqueue = (serial: string, task: () => Promise<void>) => {
    const previous = queues.get(serial) ?? Promise.resolve();
    const next = previous.then(task).catch((error) => bridgeLogs.handlerFailed(serial, error));
    queues.set(serial, next);
    inflight.add(next);
    void next.finally(() => {
      inflight.delete(next);
      if (queues.get(serial) === next) queues.delete(serial);
    });
  };

  client.on('message', (topic, payload) => {
    stats.received++;
    const controlled = parseControlTopic(topic);
    if (controlled) {
      const control = decodePayload(controlPayloadSchema, payload);
      if (control.ok) timeouts.sent(controlled, control.value.id);
      return;
    }
    const parsed = parseDeviceTopic(topic);
    if (!parsed) return drop(ctx, topic, 'not a device topic', 'topic');
    enqueue(parsed.serial, async () => {
      try {
        await ingest(ctx, topic, parsed, payload);
      } catch (error) {
        bridgeLogs.writeFailed(parsed.serial, error);
        drop(ctx, topic, error instanceof Error ? error.message : String(error), 'write_failed');
      }
    });
  });

  const shared = (filter: string) =>
    config.shareGroup ? sharedSubscription(config.shareGroup, filter) : filter;
  const { control: controlFilter, ...deviceFilters } = BRIDGE_FILTERS;
  const filters = Object.values(deviceFilters).map(shared);
  const allFilters = [...filters, shared(controlFilter)];
  // Subscribe on every connect, even with a session present: a session saved before its SUBACK has no
  // subscriptions, and a deaf bridge is the worst failure. With MQTT 5, retain-handling 1 avoids a replay of
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

  const sweep = setInterval(() => {
    for (const entry of directory.all()) {
      enqueue(entry.serial, () => markSilentDevicesOffline(ctx, [entry]));
    }
  }, config.sweepIntervalMs);
  sweep.unref?.();
  const flushUsage = async () => {
    try {
      stats.writes += await usage.flush();
    } catch (error) {
      bridgeLogs.writeFailed('usage', error);
    }
  };
  const usageTimer = setInterval(() => void flushUsage(), config.usageFlushMs);
  usageTimer.unref?.();

  let stopping: Promise<void> | null = null;
  const idle = async () => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };

  return {
    stats: () => ({ ...stats, droppedBy: { ...stats.droppedBy } }),
    idle,
    flushUsage,
    stop({ leaveGroup = false } = {}) {
      stopping ??= (async () => {
        clearInterval(sweep);
        clearInterval(usageTimer);
        timeouts.clear();
        if (leaveGroup && client.connected) await client.unsubscribeAsync(allFilters).catch(() => undefined);
        // Stop taking messages, finish the ones taken, then leave the session for the next start.
        await client.endAsync();
        await idle();
        await flushUsage();
        await firestore.close();
        bridgeLogs.stopped();
      })();
      return stopping;
    },
  };
}
