// MQTT topic names (docs/DEVICE_PROTOCOL.md) and their parsing. A serial number is one topic level, so it may never
// contain the MQTT separators or wildcards; `isTopicSafeSerial` guards that before any topic is built.

export type DeviceTopicKind = 'status' | 'heartbeat' | 'ack' | 'logs' | 'reset';

const TOPIC_SAFE = /^[A-Za-z0-9_-]{1,64}$/;

export function isTopicSafeSerial(serial: string): boolean {
  return TOPIC_SAFE.test(serial);
}

function safe(serial: string): string {
  if (!isTopicSafeSerial(serial))
    throw new Error(`not a topic-safe serial number: ${JSON.stringify(serial)}`);
  return serial;
}

export const topics = {
  /** Device → cloud, QoS 1, retained. The last will publishes `{v:1, online:false}` here. */
  status: (serial: string) => `devices/${safe(serial)}/status`,
  /** Cloud → device, QoS 1, not retained. */
  control: (serial: string) => `devices/${safe(serial)}/control`,
  /** Device → cloud, QoS 0, not retained, every update_interval. */
  heartbeat: (serial: string) => `devices/${safe(serial)}/heartbeat`,
  /** Device → cloud, QoS 1, not retained: the answer to one control command. */
  ack: (serial: string) => `devices/${safe(serial)}/ack`,
  /** Device → cloud, QoS 1, not retained: the unit was factory-reset by its button (docs/DEVICE_PROTOCOL.md). */
  reset: (serial: string) => `devices/${safe(serial)}/reset`,
  /** Device → cloud, QoS 0, for support. */
  logs: (serial: string) => `admin/devices/${safe(serial)}/logs`,
  /** Bridge → user apps, QoS 0, retained: a linked user's view of a device's status. */
  userStatus: (uid: string, serial: string) => `users/${uid}/devices/${safe(serial)}/status`,
  /** Subscription filter of a user app (read-only for users). */
  userStatusFilter: (uid: string) => `users/${uid}/devices/+/status`,
} as const;

/**
 * Filters the ingest bridge subscribes to (each behind `$share/<group>/`). It reads control too (never
 * publishes it), to time out commands a device never answers.
 */
export const BRIDGE_FILTERS: Readonly<Record<DeviceTopicKind | 'control', string>> = {
  status: 'devices/+/status',
  heartbeat: 'devices/+/heartbeat',
  ack: 'devices/+/ack',
  logs: 'admin/devices/+/logs',
  reset: 'devices/+/reset',
  control: 'devices/+/control',
};

/** `devices/SN/control` → 'SN'; anything else → null. */
export function parseControlTopic(topic: string): string | null {
  const parts = topic.split('/');
  return parts.length === 3 && parts[0] === 'devices' && parts[2] === 'control' && isTopicSafeSerial(parts[1])
    ? parts[1]
    : null;
}

export function sharedSubscription(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

/** Topics a device may publish to, and may subscribe to (the per-device ACL). */
export function deviceAcl(serial: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: [
      topics.status(serial),
      topics.heartbeat(serial),
      topics.ack(serial),
      topics.logs(serial),
      topics.reset(serial),
    ],
    subscribe: [topics.control(serial)],
  };
}

export interface ParsedDeviceTopic {
  kind: DeviceTopicKind;
  serial: string;
}

/** `devices/SN/status` → {kind:'status', serial:'SN'}; anything else (incl. control) → null. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length === 3 && parts[0] === 'devices') {
    const [, serial, leaf] = parts;
    if (!isTopicSafeSerial(serial)) return null;
    if (leaf === 'status' || leaf === 'heartbeat' || leaf === 'ack' || leaf === 'reset')
      return { kind: leaf, serial };
    return null;
  }
  if (parts.length === 4 && parts[0] === 'admin' && parts[1] === 'devices' && parts[3] === 'logs') {
    return isTopicSafeSerial(parts[2]) ? { kind: 'logs', serial: parts[2] } : null;
  }
  return null;
}

/**
 * MQTT topic-filter match (`+` one level, `#` the rest), used by the embedded broker's ACL. Wildcards never
 * match `$`-topics (such as `$CONTROL/…`), as the MQTT specification requires.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && !filter.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
