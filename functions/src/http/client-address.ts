import { BlockList, isIP } from 'node:net';

// The client address that per-address rate limits key on. Cloud Functions sit behind Google's front end, which
// appends to X-Forwarded-For the address it received the connection from and then its own
// ("<whatever the client sent>, <client>, <front end>"); Firebase Hosting's rewrite adds its own Google hop in
// between ("…, <client>, <Hosting edge>, <front end>"). Anything left of the entries trusted proxies appended
// is whatever the caller chose to send, so the address is found by walking from the right: drop the front
// end's own entry, skip the addresses of trusted proxies (the Hosting edge ranges an operator configures), and
// take the next one. With no trusted ranges configured a request through Hosting is keyed on the Hosting edge
// address: coarse, but never forgeable. docs/SECURITY.md ("Client address and rate limits") has the sources.

export interface ClientAddressOptions {
  /** Entries at the right end that the platform itself always appends (Google's front end: 1). */
  appendedHops: number;
  /** CIDR ranges of trusted proxies between the client and the front end (e.g. Firebase Hosting's edge). */
  trustedProxies: readonly string[];
}

/** Parses "a.b.c.d/n" and "x::/n" ranges; a bad entry is a configuration error, reported at once. */
export function trustedProxyList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, bits] = range.split('/');
    const family = isIP(address);
    const prefix = Number(bits ?? (family === 6 ? 128 : 32));
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new Error(`TRUSTED_PROXY_CIDRS: "${range}" is not an IPv4 or IPv6 range`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function normalise(entry: string): string {
  const trimmed = entry.trim();
  // "[2001:db8::1]:443" and "203.0.113.9:1234" appear in some proxies' entries; the port is not the client.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(trimmed);
  if (v4WithPort) return v4WithPort[1];
  return trimmed.replace(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i, '$1');
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The address to key rate limits on. `remoteAddress` (the socket peer) is used when there is no
 * X-Forwarded-For at all (local runs without a proxy).
 */
export function clientAddress(
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined,
  options: ClientAddressOptions,
  trusted: BlockList = trustedProxyList(options.trustedProxies),
): string {
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map(normalise)
    .filter(Boolean);
  if (entries.length === 0) return normalise(remoteAddress ?? '') || 'unknown';
  let index = entries.length - 1 - options.appendedHops;
  while (index > 0 && isTrusted(trusted, entries[index])) index--;
  // Fewer entries than the platform appends means the request did not come through it (a local run):
  // the leftmost entry is then the best there is.
  const chosen = entries[Math.max(index, 0)];
  return isIP(chosen) ? chosen : 'unknown';
}
