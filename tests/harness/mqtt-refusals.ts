import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

// A refusal is only proven by the refusal itself: the CONNACK / SUBACK reason code the broker sent, or the
// broker closing a connection it had accepted. A timeout, a dead broker or a socket error is never one: these
// helpers reject on them, so a check cannot pass because something else went wrong.

/** CONNACK reason codes for "who you are is not accepted", per MQTT version. */
export const CONNACK_REFUSED = {
  /** MQTT 3.1.1: 4 bad user name or password, 5 not authorized. */
  4: [4, 5],
  /** MQTT 5: 134 bad user name or password, 135 not authorized. */
  5: [134, 135],
} as const;

/** SUBACK failure codes: 0x80 in MQTT 3.1.1; 0x87 "not authorized" (or 0x80 unspecified) in MQTT 5. */
export const SUBACK_REFUSED = { 4: [0x80], 5: [0x87, 0x80] } as const;

export type ConnackVerdict = { accepted: true; client: MqttClient } | { accepted: false; reasonCode: number };

/**
 * Connects once (never reconnects) and resolves with the broker's CONNACK verdict: the connected client, or
 * the refusal's reason code. Rejects when no CONNACK arrives (timeout, connection refused or closed first).
 */
export function connack(url: string, options: IClientOptions, timeoutMs = 5000): Promise<ConnackVerdict> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...options });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() => {
          client.end(true);
          reject(new Error(`no CONNACK from ${url} within ${timeoutMs} ms`));
        }),
      timeoutMs,
    );
    client.once('connect', () => settle(() => resolve({ accepted: true, client })));
    client.once('error', (error: Error & { code?: unknown }) =>
      settle(() => {
        client.end(true);
        if (typeof error.code === 'number') resolve({ accepted: false, reasonCode: error.code });
        else reject(new Error(`no CONNACK from ${url}: ${error.message}`));
      }),
    );
    client.once('close', () =>
      settle(() => reject(new Error(`${url} closed the connection before any CONNACK`))),
    );
  });
}

/** The CONNACK reason code of a refused connection; rejects if the broker accepts it or never answers. */
export async function connackRefusal(url: string, options: IClientOptions): Promise<number> {
  const verdict = await connack(url, options);
  if (verdict.accepted) {
    verdict.client.end(true);
    throw new Error('the broker accepted a connection that should have been refused');
  }
  return verdict.reasonCode;
}

/**
 * The SUBACK code the broker granted for one filter: the granted QoS (0–2), or its failure code (≥ 0x80).
 * Rejects on anything but a SUBACK (e.g. the connection closing).
 */
export async function subackCode(client: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0]?.qos as number;
  } catch (error) {
    // mqtt.js rejects a SUBACK that carries a failure code, with the SUBACK packet on the error.
    const packet = (error as { packet?: { cmd?: string; granted?: number[] } }).packet;
    const code = packet?.cmd === 'suback' ? packet.granted?.[0] : undefined;
    if (typeof code === 'number' && code >= 0x80) return code;
    throw error;
  }
}

/**
 * Resolves once the broker closes `client`'s connection; rejects if it is still open after `timeoutMs`
 * (a broker that merely ignores the offence does not count as closing).
 */
export function closedByBroker(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected && client.disconnected) return resolve();
    const timer = setTimeout(() => {
      client.off('close', onClose);
      reject(new Error(`the broker did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('close', onClose);
  });
}
