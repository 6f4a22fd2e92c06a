import {
  bytesField,
  decodeFields,
  intField,
  ProtoWriter,
  repeatedBytes,
  type WireFields,
} from './proto-wire.ts';

// The protocomm and Wi-Fi provisioning messages of ESP-IDF (protocomm/proto/{constants,session,sec0,sec1,
// sec2}.proto and wifi_provisioning/proto/{wifi_constants,wifi_scan,wifi_config}.proto), field numbers as
// there. In all of them the oneof's field number is a base plus the message type, which the codecs use.

export const Status = {
  Success: 0,
  InvalidSecScheme: 1,
  InvalidProto: 2,
  TooManySessions: 3,
  InvalidArgument: 4,
  InternalError: 5,
  CryptoError: 6,
  InvalidSession: 7,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

// ---- session (prov-session) ----

/** SessionData.sec_ver, and the `sec_ver` of proto-ver. */
export type SecurityVersion = 0 | 1 | 2;

export type SessionMessage =
  | { sec: 0; kind: 'cmd' }
  | { sec: 0; kind: 'resp'; status: number }
  | { sec: 1; kind: 'cmd0'; clientPubkey: Uint8Array }
  | { sec: 1; kind: 'resp0'; status: number; devicePubkey: Uint8Array; deviceRandom: Uint8Array }
  | { sec: 1; kind: 'cmd1'; clientVerify: Uint8Array }
  | { sec: 1; kind: 'resp1'; status: number; deviceVerify: Uint8Array }
  | { sec: 2; kind: 'cmd0'; username: Uint8Array; clientPubkey: Uint8Array }
  | { sec: 2; kind: 'resp0'; status: number; devicePubkey: Uint8Array; salt: Uint8Array }
  | { sec: 2; kind: 'cmd1'; clientProof: Uint8Array }
  | { sec: 2; kind: 'resp1'; status: number; deviceProof: Uint8Array; deviceNonce: Uint8Array };

const SESSION_KINDS = {
  0: ['cmd', 'resp'],
  1: ['cmd0', 'resp0', 'cmd1', 'resp1'],
  2: ['cmd0', 'resp0', 'cmd1', 'resp1'],
};
/** SessionData: sec_ver = 2, sec0 = 10, sec1 = 11, sec2 = 12; inside, msg = 1 and the payload at 20 + msg. */
const SEC_PAYLOAD_FIELD = 10;
const SESSION_PAYLOAD_BASE = 20;

export function encodeSession(message: SessionMessage): Uint8Array {
  const inner = new ProtoWriter();
  switch (`${message.sec}:${message.kind}`) {
    case '0:resp':
    case '1:resp0':
    case '1:resp1':
    case '2:resp0':
    case '2:resp1':
      inner.uint(1, (message as { status: number }).status);
  }
  if (message.sec === 1 && message.kind === 'cmd0') inner.bytesField(1, message.clientPubkey);
  if (message.sec === 1 && message.kind === 'resp0')
    inner.bytesField(2, message.devicePubkey).bytesField(3, message.deviceRandom);
  if (message.sec === 1 && message.kind === 'cmd1') inner.bytesField(2, message.clientVerify);
  if (message.sec === 1 && message.kind === 'resp1') inner.bytesField(3, message.deviceVerify);
  if (message.sec === 2 && message.kind === 'cmd0')
    inner.bytesField(1, message.username).bytesField(2, message.clientPubkey);
  if (message.sec === 2 && message.kind === 'resp0')
    inner.bytesField(2, message.devicePubkey).bytesField(3, message.salt);
  if (message.sec === 2 && message.kind === 'cmd1') inner.bytesField(1, message.clientProof);
  if (message.sec === 2 && message.kind === 'resp1')
    inner.bytesField(2, message.deviceProof).bytesField(3, message.deviceNonce);
  const msgType = (SESSION_KINDS[message.sec] as readonly string[]).indexOf(message.kind);
  const payload = new ProtoWriter()
    .uint(1, msgType)
    .message(SESSION_PAYLOAD_BASE + msgType, inner.finish())
    .finish();
  return new ProtoWriter()
    .uint(2, message.sec)
    .message(SEC_PAYLOAD_FIELD + message.sec, payload)
    .finish();
}

const empty = new Uint8Array(0);

export function decodeSession(buffer: Uint8Array): SessionMessage {
  const outer = decodeFields(buffer);
  const sec = intField(outer, 2);
  if (sec !== 0 && sec !== 1 && sec !== 2) throw new Error(`unknown security version ${sec}`);
  const payload = decodeFields(bytesField(outer, SEC_PAYLOAD_FIELD + sec) ?? empty);
  const msgType = intField(payload, 1);
  const kind = SESSION_KINDS[sec][msgType];
  if (!kind) throw new Error(`unknown security ${sec} message type ${msgType}`);
  const f = decodeFields(bytesField(payload, SESSION_PAYLOAD_BASE + msgType) ?? empty);
  const b = (n: number) => bytesField(f, n) ?? empty;
  const status = intField(f, 1);
  if (sec === 0) return kind === 'cmd' ? { sec, kind } : { sec, kind: 'resp', status };
  if (sec === 1) {
    if (kind === 'cmd0') return { sec, kind, clientPubkey: b(1) };
    if (kind === 'resp0') return { sec, kind, status, devicePubkey: b(2), deviceRandom: b(3) };
    if (kind === 'cmd1') return { sec, kind, clientVerify: b(2) };
    return { sec, kind: 'resp1', status, deviceVerify: b(3) };
  }
  if (kind === 'cmd0') return { sec, kind, username: b(1), clientPubkey: b(2) };
  if (kind === 'resp0') return { sec, kind, status, devicePubkey: b(2), salt: b(3) };
  if (kind === 'cmd1') return { sec, kind, clientProof: b(1) };
  return { sec, kind: 'resp1', status, deviceProof: b(2), deviceNonce: b(3) };
}

// ---- Wi-Fi scan (prov-scan) ----

/** WifiAuthMode of wifi_constants.proto. */
export const WifiAuthMode = {
  Open: 0,
  WEP: 1,
  WPA_PSK: 2,
  WPA2_PSK: 3,
  WPA_WPA2_PSK: 4,
  WPA2_ENTERPRISE: 5,
  WPA3_PSK: 6,
  WPA2_WPA3_PSK: 7,
} as const;

export interface ScanEntry {
  ssid: Uint8Array;
  channel: number;
  rssi: number;
  bssid: Uint8Array;
  auth: number;
}

export type ScanMessage =
  | { kind: 'cmdStart'; blocking: boolean; passive: boolean; groupChannels: number; periodMs: number }
  | { kind: 'respStart'; status: number }
  | { kind: 'cmdStatus' }
  | { kind: 'respStatus'; status: number; finished: boolean; resultCount: number }
  | { kind: 'cmdResult'; startIndex: number; count: number }
  | { kind: 'respResult'; status: number; entries: ScanEntry[] };

const SCAN_KINDS = ['cmdStart', 'respStart', 'cmdStatus', 'respStatus', 'cmdResult', 'respResult'] as const;
const WIFI_PAYLOAD_BASE = 10;

export function encodeScan(message: ScanMessage): Uint8Array {
  const inner = new ProtoWriter();
  if (message.kind === 'cmdStart')
    inner
      .uint(1, message.blocking)
      .uint(2, message.passive)
      .uint(3, message.groupChannels)
      .uint(4, message.periodMs);
  if (message.kind === 'respStatus') inner.uint(1, message.finished).uint(2, message.resultCount);
  if (message.kind === 'cmdResult') inner.uint(1, message.startIndex).uint(2, message.count);
  if (message.kind === 'respResult')
    for (const entry of message.entries)
      inner.message(
        1,
        new ProtoWriter()
          .bytesField(1, entry.ssid)
          .uint(2, entry.channel)
          .uint(3, entry.rssi)
          .bytesField(4, entry.bssid)
          .uint(5, entry.auth)
          .finish(),
      );
  const msgType = SCAN_KINDS.indexOf(message.kind);
  return new ProtoWriter()
    .uint(1, msgType)
    .uint(2, 'status' in message ? message.status : 0)
    .message(WIFI_PAYLOAD_BASE + msgType, inner.finish())
    .finish();
}

export function decodeScan(buffer: Uint8Array): ScanMessage {
  const outer = decodeFields(buffer);
  const msgType = intField(outer, 1);
  const kind = SCAN_KINDS[msgType];
  if (!kind) throw new Error(`unknown Wi-Fi scan message type ${msgType}`);
  const status = intField(outer, 2);
  const f = decodeFields(bytesField(outer, WIFI_PAYLOAD_BASE + msgType) ?? empty);
  switch (kind) {
    case 'cmdStart':
      return {
        kind,
        blocking: intField(f, 1) !== 0,
        passive: intField(f, 2) !== 0,
        groupChannels: intField(f, 3),
        periodMs: intField(f, 4),
      };
    case 'respStart':
      return { kind, status };
    case 'cmdStatus':
      return { kind };
    case 'respStatus':
      return { kind, status, finished: intField(f, 1) !== 0, resultCount: intField(f, 2) };
    case 'cmdResult':
      return { kind, startIndex: intField(f, 1), count: intField(f, 2) };
    case 'respResult':
      return {
        kind,
        status,
        entries: repeatedBytes(f, 1).map((raw) => {
          const e = decodeFields(raw);
          return {
            ssid: bytesField(e, 1) ?? empty,
            channel: intField(e, 2),
            rssi: intField(e, 3),
            bssid: bytesField(e, 4) ?? empty,
            auth: intField(e, 5),
          };
        }),
      };
  }
}

// ---- Wi-Fi config (prov-config) ----

/** WifiStationState of wifi_constants.proto. */
export const WifiStationState = {
  Connected: 0,
  Connecting: 1,
  Disconnected: 2,
  ConnectionFailed: 3,
} as const;
/** WifiConnectFailedReason of wifi_constants.proto. */
export const WifiConnectFailedReason = { AuthError: 0, NetworkNotFound: 1 } as const;

export interface ConnectedState {
  ip4Addr: string;
  authMode: number;
  ssid: Uint8Array;
  bssid: Uint8Array;
  channel: number;
}

export type ConfigMessage =
  | { kind: 'cmdGetStatus' }
  | {
      kind: 'respGetStatus';
      status: number;
      staState: number;
      failReason?: number;
      connected?: ConnectedState;
      attemptsRemaining?: number;
    }
  | { kind: 'cmdSetConfig'; ssid: Uint8Array; passphrase: Uint8Array; bssid?: Uint8Array; channel?: number }
  | { kind: 'respSetConfig'; status: number }
  | { kind: 'cmdApplyConfig' }
  | { kind: 'respApplyConfig'; status: number };

const CONFIG_KINDS = [
  'cmdGetStatus',
  'respGetStatus',
  'cmdSetConfig',
  'respSetConfig',
  'cmdApplyConfig',
  'respApplyConfig',
] as const;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeConfig(message: ConfigMessage): Uint8Array {
  const inner = new ProtoWriter();
  if (message.kind === 'respGetStatus') {
    inner.uint(1, message.status).uint(2, message.staState);
    if (message.failReason !== undefined) inner.present(10, message.failReason);
    if (message.connected)
      inner.message(
        11,
        new ProtoWriter()
          .bytesField(1, textEncoder.encode(message.connected.ip4Addr))
          .uint(2, message.connected.authMode)
          .bytesField(3, message.connected.ssid)
          .bytesField(4, message.connected.bssid)
          .uint(5, message.connected.channel)
          .finish(),
      );
    if (message.attemptsRemaining !== undefined)
      inner.message(12, new ProtoWriter().uint(1, message.attemptsRemaining).finish());
  }
  if (message.kind === 'cmdSetConfig')
    inner
      .bytesField(1, message.ssid)
      .bytesField(2, message.passphrase)
      .bytesField(3, message.bssid)
      .uint(4, message.channel);
  if (message.kind === 'respSetConfig' || message.kind === 'respApplyConfig') inner.uint(1, message.status);
  const msgType = CONFIG_KINDS.indexOf(message.kind);
  return new ProtoWriter()
    .uint(1, msgType)
    .message(WIFI_PAYLOAD_BASE + msgType, inner.finish())
    .finish();
}

export function decodeConfig(buffer: Uint8Array): ConfigMessage {
  const outer = decodeFields(buffer);
  const msgType = intField(outer, 1);
  const kind = CONFIG_KINDS[msgType];
  if (!kind) throw new Error(`unknown Wi-Fi config message type ${msgType}`);
  const f: WireFields = decodeFields(bytesField(outer, WIFI_PAYLOAD_BASE + msgType) ?? empty);
  switch (kind) {
    case 'cmdGetStatus':
    case 'cmdApplyConfig':
      return { kind };
    case 'respSetConfig':
    case 'respApplyConfig':
      return { kind, status: intField(f, 1) };
    case 'cmdSetConfig':
      return {
        kind,
        ssid: bytesField(f, 1) ?? empty,
        passphrase: bytesField(f, 2) ?? empty,
        bssid: bytesField(f, 3),
        channel: intField(f, 4),
      };
    case 'respGetStatus': {
      const connected = bytesField(f, 11);
      const attempt = bytesField(f, 12);
      const c = connected ? decodeFields(connected) : null;
      return {
        kind,
        status: intField(f, 1),
        staState: intField(f, 2),
        failReason: f.has(10) ? intField(f, 10) : undefined,
        connected: c
          ? {
              ip4Addr: textDecoder.decode(bytesField(c, 1) ?? empty),
              authMode: intField(c, 2),
              ssid: bytesField(c, 3) ?? empty,
              bssid: bytesField(c, 4) ?? empty,
              channel: intField(c, 5),
            }
          : undefined,
        attemptsRemaining: attempt ? intField(decodeFields(attempt), 1) : undefined,
      };
    }
  }
}
