import type { DeviceTopicKind } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import type { BridgeConfig } from './config.ts';
import type { DeviceDirectory, DeviceEntry } from './device-directory.ts';
import type { BridgeEvents } from './events.ts';
import { bridgeLogs } from './logs.ts';
import type { WriteBatcher } from './write-batcher.ts';

// What the bridge core hands every feature: Firestore, configuration, the device directory, the counters,
// the event bus, the per-device queue and a way to publish. Features never see the MQTT client itself.

export interface IngestStats {
  received: number;
  processed: number;
  dropped: number;
  droppedBy: Record<string, number>;
  writes: number;
  acks: number;
  timeouts: number;
  republished: number;
  /** Alert episodes started or ended by this instance (each one Firestore transaction that wrote). */
  alertEpisodes: number;
}

export interface BridgeContext {
  db: Firestore;
  config: BridgeConfig;
  directory: DeviceDirectory;
  stats: IngestStats;
  events: BridgeEvents;
  /** Device-document updates, batched across devices (write-batcher.ts). */
  writer: WriteBatcher;
  /** Runs `task` after every earlier task of the same device, so a device's writes land in order. */
  enqueue(serial: string, task: () => Promise<unknown> | undefined): void;
  /** Publishes on the bridge's connection (QoS 0, retained: user status republish). */
  publishRetained(topic: string, payload: string): void;
  now(): number;
}

/** A validated message from a known device, handed to the feature that handles its kind. */
export interface DeviceMessage {
  topic: string;
  entry: DeviceEntry;
  /** The payload, parsed against the envelope schema of its kind. */
  envelope: unknown;
  payload: Buffer;
  now: number;
}

/**
 * `'dropped'` when the handler refused the message (it was counted and logged as dropped). A handler with no
 * asynchronous work (nothing to write) answers synchronously, so the message costs no promise.
 */
export type DeviceMessageHandler = (
  message: DeviceMessage,
) => Promise<'dropped' | undefined> | 'dropped' | undefined;

/**
 * One capability of the bridge (Zigbee2MQTT's extension shape): it handles some device message kinds, listens
 * on the event bus and may run timers. The core starts features after subscribing, stops them before
 * draining its queues, and flushes them after the last message is handled.
 */
export interface BridgeFeature {
  handles?: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>;
  start?(): void;
  stop?(): void;
  flush?(): Promise<void>;
}

export function emptyStats(): IngestStats {
  return {
    received: 0,
    processed: 0,
    dropped: 0,
    droppedBy: {},
    writes: 0,
    acks: 0,
    timeouts: 0,
    republished: 0,
    alertEpisodes: 0,
  };
}

export function drop(ctx: BridgeContext, topic: string, reason: string, category: string): 'dropped' {
  ctx.stats.dropped++;
  ctx.stats.droppedBy[category] = (ctx.stats.droppedBy[category] ?? 0) + 1;
  bridgeLogs.messageDropped(topic, reason);
  return 'dropped';
}
