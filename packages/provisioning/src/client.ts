import { fromUtf8, hex, utf8 } from './bytes.ts';
import type { SessionCipher } from './ciphers.ts';
import { type EndpointName, parseVersionInfo, type VersionInfo } from './endpoints.ts';
import {
  type ConfigMessage,
  decodeConfig,
  decodeScan,
  encodeConfig,
  encodeScan,
  type ScanMessage,
  Status,
  WifiAuthMode,
  WifiConnectFailedReason,
  WifiStationState,
} from './messages.ts';
import { DEFAULT_SEC2_USERNAME, openClientSession, SessionError } from './security.ts';

// The phone's side of Wi-Fi provisioning, over any transport that can send a request to a named endpoint
// and return the reply (BLE GATT in the browser, direct calls in tests). Requests go one at a time: the
// security 1 keystream and the security 2 nonce counter are shared by both directions in order.

export interface ProvisioningTransport {
  send(endpoint: EndpointName, request: Uint8Array): Promise<Uint8Array>;
}

export interface WifiNetwork {
  ssid: string;
  /** dBm, higher is stronger. */
  rssi: number;
  channel: number;
  bssid: string;
  /** WifiAuthMode; Open (0) needs no password. */
  auth: number;
  secure: boolean;
}

export type WifiStatus =
  | { state: 'connecting' }
  | { state: 'connected'; ip: string }
  | { state: 'failed'; reason: 'wrong_password' | 'not_found' | 'unknown' }
  | { state: 'disconnected' };

export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/** BLE writes stay small: scan results are fetched a few at a time. */
const SCAN_PAGE = 4;

export class ProvisioningClient {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly transport: ProvisioningTransport,
    private readonly cipher: SessionCipher,
    readonly version: VersionInfo,
  ) {}

  /** Reads proto-ver, then opens a session at the security the device asks for, with the PoP. */
  static async connect(
    transport: ProvisioningTransport,
    pop: string,
    options: { username?: string } = {},
  ): Promise<ProvisioningClient> {
    const version = await ProvisioningClient.readVersion(transport);
    const cipher = await openClientSession((request) => transport.send('prov-session', request), {
      security: version.prov.sec_ver,
      pop,
      username: options.username ?? DEFAULT_SEC2_USERNAME,
      patchVersion: version.prov.sec_patch_ver,
    });
    return new ProvisioningClient(transport, cipher, version);
  }

  static async readVersion(transport: ProvisioningTransport): Promise<VersionInfo> {
    return parseVersionInfo(fromUtf8(await transport.send('proto-ver', utf8('---'))));
  }

  private call<T>(endpoint: EndpointName, request: Uint8Array, decode: (reply: Uint8Array) => T): Promise<T> {
    const run = async () => {
      const reply = await this.transport.send(endpoint, await this.cipher.encrypt(request));
      if (reply.length === 0) throw new ProvisioningError(`the device gave no answer on ${endpoint}`);
      try {
        return decode(await this.cipher.decrypt(reply));
      } catch (error) {
        throw new ProvisioningError(
          `the device's answer on ${endpoint} could not be read (${(error as Error).message})`,
        );
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private scanCall(message: ScanMessage): Promise<ScanMessage> {
    return this.call('prov-scan', encodeScan(message), decodeScan);
  }

  private configCall(message: ConfigMessage): Promise<ConfigMessage> {
    return this.call('prov-config', encodeConfig(message), decodeConfig);
  }

  /** Asks the device to scan, then lists what it found, strongest first, one entry per network name. */
  async scan(options: { pollMs?: number; timeoutMs?: number } = {}): Promise<WifiNetwork[]> {
    await this.scanCall({
      kind: 'cmdStart',
      blocking: true,
      passive: false,
      groupChannels: 0,
      periodMs: 120,
    });
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    let count = 0;
    for (;;) {
      const status = await this.scanCall({ kind: 'cmdStatus' });
      if (status.kind !== 'respStatus')
        throw new ProvisioningError('unexpected answer to a scan status request');
      if (status.finished) {
        count = status.resultCount;
        break;
      }
      if (Date.now() > deadline) throw new ProvisioningError('the device did not finish scanning in time');
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
    }
    const networks: WifiNetwork[] = [];
    for (let start = 0; start < count; start += SCAN_PAGE) {
      const page = await this.scanCall({
        kind: 'cmdResult',
        startIndex: start,
        count: Math.min(SCAN_PAGE, count - start),
      });
      if (page.kind !== 'respResult')
        throw new ProvisioningError('unexpected answer to a scan result request');
      for (const entry of page.entries)
        networks.push({
          ssid: fromUtf8(entry.ssid),
          rssi: entry.rssi,
          channel: entry.channel,
          bssid: hex(entry.bssid),
          auth: entry.auth,
          secure: entry.auth !== WifiAuthMode.Open,
        });
    }
    const strongest = new Map<string, WifiNetwork>();
    for (const network of networks) {
      const seen = strongest.get(network.ssid);
      if (network.ssid && (!seen || seen.rssi < network.rssi)) strongest.set(network.ssid, network);
    }
    return [...strongest.values()].sort((a, b) => b.rssi - a.rssi);
  }

  /** Sends the network name and password (encrypted by the session), then tells the device to use them. */
  async applyWifi(ssid: string, password: string): Promise<void> {
    const set = await this.configCall({ kind: 'cmdSetConfig', ssid: utf8(ssid), passphrase: utf8(password) });
    if (set.kind !== 'respSetConfig' || set.status !== Status.Success)
      throw new ProvisioningError('the device did not accept the Wi-Fi settings');
    const apply = await this.configCall({ kind: 'cmdApplyConfig' });
    if (apply.kind !== 'respApplyConfig' || apply.status !== Status.Success)
      throw new ProvisioningError('the device could not start connecting');
  }

  async wifiStatus(): Promise<WifiStatus> {
    const reply = await this.configCall({ kind: 'cmdGetStatus' });
    if (reply.kind !== 'respGetStatus') throw new ProvisioningError('unexpected answer to a status request');
    switch (reply.staState) {
      case WifiStationState.Connected:
        return { state: 'connected', ip: reply.connected?.ip4Addr ?? '' };
      case WifiStationState.Connecting:
        // Stock firmware may add attempt_failed while it retries; it is still connecting.
        return { state: 'connecting' };
      case WifiStationState.ConnectionFailed:
        return {
          state: 'failed',
          reason:
            reply.failReason === WifiConnectFailedReason.AuthError
              ? 'wrong_password'
              : reply.failReason === WifiConnectFailedReason.NetworkNotFound
                ? 'not_found'
                : 'unknown',
        };
      default:
        return { state: 'disconnected' };
    }
  }

  /** Polls the status until the device is connected or has failed, reporting each state on the way. */
  async waitForWifi(
    onProgress: (status: WifiStatus) => void = () => undefined,
    options: { pollMs?: number; timeoutMs?: number } = {},
  ): Promise<WifiStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const status = await this.wifiStatus();
      onProgress(status);
      if (status.state === 'connected' || status.state === 'failed') return status;
      if (Date.now() > deadline)
        throw new ProvisioningError('the device did not report a connection in time');
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }
}

export { SessionError };
