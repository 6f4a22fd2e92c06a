import { fromUtf8, utf8 } from './bytes.ts';
import { ENDPOINTS, type EndpointName, PROV_VERSION, type VersionInfo } from './endpoints.ts';
import {
  type ConfigMessage,
  decodeConfig,
  decodeScan,
  encodeConfig,
  encodeScan,
  type ScanEntry,
  type ScanMessage,
  Status,
  WifiConnectFailedReason,
  WifiStationState,
} from './messages.ts';
import { type DeviceRandomness, type DeviceSecurityConfig, DeviceSession } from './security.ts';

// The device's side of Wi-Fi provisioning, transport-agnostic: hand it each request with its endpoint name,
// send back what it returns. The radio is behind WifiStation, so the simulator plugs in a fake one and
// firmware-like tests can plug in anything. Requests are handled one at a time, in arrival order, because
// the session cipher is a single stream.

export interface WifiCredentials {
  ssid: string;
  /** Only ever held in memory and passed to the station; never logged. */
  password: string;
}

export type WifiOutcome = { ok: true; ip: string } | { ok: false; reason: 'wrong_password' | 'not_found' };

export interface WifiStation {
  /** The networks in range, as a scan would see them. */
  scan(): Promise<ScanEntry[]>;
  /** Tries to join; resolves once joined or failed. */
  connect(credentials: WifiCredentials): Promise<WifiOutcome>;
}

type StationState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'connected'; ip: string; ssid: string }
  | { state: 'failed'; reason: 'wrong_password' | 'not_found' };

export interface ResponderOptions {
  security: DeviceSecurityConfig;
  station: WifiStation;
  /** Extra proto-ver labels (an application's own version and capabilities). */
  appInfo?: Record<string, unknown>;
  randomness?: DeviceRandomness;
}

export class ProvisioningResponder {
  private session: DeviceSession;
  private queue: Promise<unknown> = Promise.resolve();
  private scanResults: ScanEntry[] | null = null;
  private pending: WifiCredentials | null = null;
  private station: StationState = { state: 'idle' };

  constructor(private readonly options: ResponderOptions) {
    this.session = new DeviceSession(options.security, options.randomness);
  }

  get version(): VersionInfo {
    const security = this.options.security;
    return {
      prov: {
        ver: PROV_VERSION,
        sec_ver: security.security,
        sec_patch_ver: security.security === 2 ? security.patchVersion : 0,
        cap: ['wifi_scan'],
      },
      ...this.options.appInfo,
    };
  }

  /** Where provisioning stands, for the device's own logic (and tests): never includes the password. */
  get state(): StationState {
    return this.station;
  }

  /** A new BLE connection starts with no session, as a reconnecting phone must shake hands again. */
  resetSession(): void {
    this.session = new DeviceSession(this.options.security, this.options.randomness);
  }

  handle(endpoint: EndpointName | string, request: Uint8Array): Promise<Uint8Array> {
    const run = () => this.dispatch(endpoint, request);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async dispatch(endpoint: string, request: Uint8Array): Promise<Uint8Array> {
    if (endpoint === 'proto-ver') return utf8(JSON.stringify(this.version));
    if (endpoint === 'prov-session') return this.session.handle(request);
    if (!(endpoint in ENDPOINTS)) throw new Error(`unknown provisioning endpoint ${endpoint}`);
    const cipher = this.session.cipher;
    // Like protocomm: no verified session, no answer.
    if (!cipher) return new Uint8Array(0);
    const plain = await cipher.decrypt(request);
    const reply = endpoint === 'prov-scan' ? await this.onScan(plain) : await this.onConfig(plain);
    return cipher.encrypt(reply);
  }

  private async onScan(plain: Uint8Array): Promise<Uint8Array> {
    let message: ScanMessage;
    try {
      message = decodeScan(plain);
    } catch {
      return encodeScan({ kind: 'respStart', status: Status.InvalidProto });
    }
    switch (message.kind) {
      case 'cmdStart':
        this.scanResults = [...(await this.options.station.scan())].sort((a, b) => b.rssi - a.rssi);
        return encodeScan({ kind: 'respStart', status: Status.Success });
      case 'cmdStatus':
        return encodeScan({
          kind: 'respStatus',
          status: Status.Success,
          finished: this.scanResults !== null,
          resultCount: this.scanResults?.length ?? 0,
        });
      case 'cmdResult': {
        const results = this.scanResults ?? [];
        if (message.startIndex + message.count > results.length)
          return encodeScan({ kind: 'respResult', status: Status.InvalidArgument, entries: [] });
        return encodeScan({
          kind: 'respResult',
          status: Status.Success,
          entries: results.slice(message.startIndex, message.startIndex + message.count),
        });
      }
      default:
        return encodeScan({ kind: 'respStart', status: Status.InvalidProto });
    }
  }

  private async onConfig(plain: Uint8Array): Promise<Uint8Array> {
    let message: ConfigMessage;
    try {
      message = decodeConfig(plain);
    } catch {
      return encodeConfig({ kind: 'respSetConfig', status: Status.InvalidProto });
    }
    switch (message.kind) {
      case 'cmdSetConfig': {
        const ssid = fromUtf8(message.ssid);
        // While a join is under way the credentials stay; after a failure new ones are welcome (ESP-IDF's
        // "reset state on failure" behaviour), so the customer can correct a mistyped password.
        if (
          this.station.state === 'connecting' ||
          !ssid ||
          message.ssid.length > 32 ||
          message.passphrase.length > 64
        )
          return encodeConfig({ kind: 'respSetConfig', status: Status.InvalidArgument });
        this.pending = { ssid, password: fromUtf8(message.passphrase) };
        return encodeConfig({ kind: 'respSetConfig', status: Status.Success });
      }
      case 'cmdApplyConfig': {
        const credentials = this.pending;
        if (!credentials || this.station.state === 'connecting')
          return encodeConfig({ kind: 'respApplyConfig', status: Status.InvalidArgument });
        this.pending = null;
        this.station = { state: 'connecting' };
        this.options.station.connect(credentials).then(
          (outcome) => {
            this.station = outcome.ok
              ? { state: 'connected', ip: outcome.ip, ssid: credentials.ssid }
              : { state: 'failed', reason: outcome.reason };
          },
          () => {
            this.station = { state: 'failed', reason: 'not_found' };
          },
        );
        return encodeConfig({ kind: 'respApplyConfig', status: Status.Success });
      }
      case 'cmdGetStatus':
        return encodeConfig(this.statusMessage());
      default:
        return encodeConfig({ kind: 'respSetConfig', status: Status.InvalidProto });
    }
  }

  private statusMessage(): ConfigMessage {
    const s = this.station;
    if (s.state === 'connected') {
      const seen = this.scanResults?.find((entry) => fromUtf8(entry.ssid) === s.ssid);
      return {
        kind: 'respGetStatus',
        status: Status.Success,
        staState: WifiStationState.Connected,
        connected: {
          ip4Addr: s.ip,
          authMode: seen?.auth ?? 0,
          ssid: utf8(s.ssid),
          bssid: seen?.bssid ?? new Uint8Array(6),
          channel: seen?.channel ?? 0,
        },
      };
    }
    if (s.state === 'failed')
      return {
        kind: 'respGetStatus',
        status: Status.Success,
        staState: WifiStationState.ConnectionFailed,
        failReason:
          s.reason === 'wrong_password'
            ? WifiConnectFailedReason.AuthError
            : WifiConnectFailedReason.NetworkNotFound,
      };
    return {
      kind: 'respGetStatus',
      status: Status.Success,
      staState: s.state === 'connecting' ? WifiStationState.Connecting : WifiStationState.Disconnected,
    };
  }
}
