import type { DeviceTopicKind } from '@esp32cloud/protocol';
import type { DeviceEntry } from './device-directory.ts';

// The bridge's event bus: how features learn about each other's work without importing each other (the
// acks feature says a command was answered; the command-timeouts feature stops its timer). Listeners are
// synchronous; anything that writes goes through the device's queue.

export interface BridgeEventMap {
  /** Every validated message from a known device, before its kind's handler runs. */
  deviceMessage: [entry: DeviceEntry, kind: DeviceTopicKind, now: number];
  /**
   * A device message its handler accepted (for a status: valid for the device's type), with its parsed
   * envelope. Alert evaluation reads readings and outputs from here.
   */
  messageAccepted: [entry: DeviceEntry, kind: DeviceTopicKind, envelope: unknown, now: number];
  /** The offline detection (last will or heartbeat timeout) or a first message changed a device's presence. */
  presenceChanged: [entry: DeviceEntry, online: boolean, previous: boolean | null, now: number];
  /** A status or ack changed a device's outputs (e.g. a relay switched). */
  outputsChanged: [entry: DeviceEntry, now: number];
  /** The API published a command on a device's control topic. */
  commandSent: [serial: string, commandId: string];
  /** The device answered a command. */
  commandAnswered: [serial: string, commandId: string];
}

type Listener<K extends keyof BridgeEventMap> = (...args: BridgeEventMap[K]) => void;

export class BridgeEvents {
  private readonly listeners: { [K in keyof BridgeEventMap]?: Listener<K>[] } = {};

  on<K extends keyof BridgeEventMap>(name: K, listener: Listener<K>): void {
    const list: Listener<K>[] = this.listeners[name] ?? [];
    list.push(listener);
    this.listeners[name] = list as (typeof this.listeners)[K];
  }

  emit<K extends keyof BridgeEventMap>(name: K, ...args: BridgeEventMap[K]): void {
    for (const listener of (this.listeners[name] ?? []) as Listener<K>[]) listener(...args);
  }
}
