import type { MqttClient } from 'mqtt';

// A QoS 1 message is acknowledged to the broker (PUBACK) only once the bridge has handled it, so a bridge
// killed mid-stream (SIGKILL, a crash, the host lost) leaves every message it had not yet written with the
// broker, which delivers it again to the persistent session when the bridge is back; handling is idempotent.
// mqtt.js would send the PUBACK as soon as the message is emitted, and its own hook for delaying it
// (handleMessage) also holds back every later packet, so the PUBACK packets are held here instead and released
// in the order the messages arrived (MQTT requires that order). Held acks of a connection that dropped are
// discarded: the broker redelivers those messages on the next connection.

interface Held {
  messageId: number;
  handled: boolean;
  puback: unknown;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, ...rest: unknown[]) => void;

export interface DeferredAcks {
  /** Call from the 'message' listener: returns what to call once the message is handled (or dropped). */
  received(packet: { qos: number; messageId?: number }): () => void;
  /** Acks still held (received, not yet handled or not yet sendable). */
  held(): number;
}

export function deferPubacks(client: MqttClient): DeferredAcks {
  let queue: Held[] = [];
  const waitingForPuback = new Map<number, Held>();
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send: SendPacket = internals._sendPacket.bind(client);

  const release = () => {
    while (queue.length > 0 && queue[0].handled && queue[0].puback) {
      const head = queue.shift() as Held;
      if (client.connected) send(head.puback as { cmd: string });
    }
  };

  internals._sendPacket = (packet, ...rest) => {
    const held = packet.cmd === 'puback' ? waitingForPuback.get(packet.messageId ?? -1) : undefined;
    if (!held) {
      send(packet, ...rest);
      return;
    }
    waitingForPuback.delete(held.messageId);
    held.puback = packet;
    // Let mqtt.js go on reading packets at once; the PUBACK itself goes out in release().
    const callback = rest[0];
    if (typeof callback === 'function') callback();
    release();
  };

  const forget = () => {
    queue = [];
    waitingForPuback.clear();
  };
  // Only on close: a broker resuming a session sends its backlog right after CONNACK, before mqtt.js emits
  // 'connect', and forgetting those would leave them unacknowledged (and the broker's window full) for good.
  client.on('close', forget);

  return {
    received(packet) {
      if (packet.qos !== 1 || packet.messageId === undefined) return () => undefined;
      const held: Held = { messageId: packet.messageId, handled: false, puback: null };
      const connection = queue;
      queue.push(held);
      waitingForPuback.set(packet.messageId, held);
      return () => {
        held.handled = true;
        if (connection === queue) release();
      };
    },
    held: () => queue.length,
  };
}
