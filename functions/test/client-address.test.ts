import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxyList } from '../src/http/client-address.ts';
import { Router } from '../src/http/router.ts';
import { rateLimitKey } from '../src/shared/rate-limits.ts';

// The rate-limit address as Google's front end delivers it (docs/SECURITY.md, "Client address and rate
// limits"): "<caller's own entries>, <client>, [<Hosting edge>,] <front end>".

const CLIENT = '198.51.100.23';
const FRONT_END = '66.102.8.142';
const HOSTING_EDGE = '35.190.12.4';
const direct = { appendedHops: 1, trustedProxies: [] };
const viaHosting = { appendedHops: 1, trustedProxies: ['35.190.0.0/17', '2600:1900::/28'] };

describe('clientAddress', () => {
  it('takes the address the front end saw on a direct call', () => {
    expect(clientAddress(`${CLIENT}, ${FRONT_END}`, '169.254.8.129', direct)).toBe(CLIENT);
  });

  it('ignores forged leftmost entries: the rate-limit key stays the same', () => {
    const honest = clientAddress(`${CLIENT},${FRONT_END}`, undefined, direct);
    for (const forged of ['203.0.113.1', '10.0.0.1, 192.0.2.77', 'not-an-ip', `${FRONT_END}`]) {
      const address = clientAddress(`${forged}, ${CLIENT}, ${FRONT_END}`, undefined, direct);
      expect(address).toBe(honest);
      expect(rateLimitKey('validate-ip', address)).toBe(rateLimitKey('validate-ip', honest));
    }
  });

  it('reads several X-Forwarded-For headers as one list', () => {
    expect(clientAddress(['203.0.113.1', `${CLIENT}, ${FRONT_END}`], undefined, direct)).toBe(CLIENT);
  });

  it('finds the client behind Firebase Hosting when the edge ranges are trusted', () => {
    expect(
      clientAddress(`203.0.113.1, ${CLIENT}, ${HOSTING_EDGE}, ${FRONT_END}`, undefined, viaHosting),
    ).toBe(CLIENT);
    expect(clientAddress(`${CLIENT}, 2600:1900::7, ${FRONT_END}`, undefined, viaHosting)).toBe(CLIENT);
  });

  it('keys on the Hosting edge (never a forged entry) when no edge ranges are configured', () => {
    expect(clientAddress(`203.0.113.1, ${CLIENT}, ${HOSTING_EDGE}, ${FRONT_END}`, undefined, direct)).toBe(
      HOSTING_EDGE,
    );
  });

  it('cannot be talked past a trusted range by a caller calling the function directly', () => {
    // A direct caller may write a "Hosting edge" address itself, but the front end appends the real one after.
    expect(clientAddress(`${HOSTING_EDGE}, ${CLIENT}, ${FRONT_END}`, undefined, viaHosting)).toBe(CLIENT);
  });

  it('normalises ports, brackets and IPv4-mapped IPv6', () => {
    expect(clientAddress(`[2001:db8::5]:443, ${FRONT_END}`, undefined, direct)).toBe('2001:db8::5');
    expect(clientAddress(`${CLIENT}:51000, ${FRONT_END}`, undefined, direct)).toBe(CLIENT);
    expect(clientAddress(undefined, `::ffff:${CLIENT}`, direct)).toBe(CLIENT);
  });

  it('uses the socket address without a proxy, and "unknown" for garbage', () => {
    expect(clientAddress(undefined, '127.0.0.1', direct)).toBe('127.0.0.1');
    expect(clientAddress('', undefined, direct)).toBe('unknown');
    expect(clientAddress(`<script>, ${FRONT_END}`, undefined, direct)).toBe('unknown');
  });

  it('rejects a malformed trusted range at start-up', () => {
    expect(() => trustedProxyList(['35.190.0.0/99'])).toThrow(/TRUSTED_PROXY_CIDRS/);
    expect(() => trustedProxyList(['hosting'])).toThrow(/TRUSTED_PROXY_CIDRS/);
  });
});

describe('Router', () => {
  it('hands routes the address from the right end of X-Forwarded-For', async () => {
    const router = new Router().add('GET', '/whoami', {
      auth: 'none',
      handler: async ({ ip }) => ({ body: { ip } }),
    });
    const answer = async (forwardedFor: string) => {
      let body: unknown;
      const res = {
        setHeader: () => res,
        status: () => res,
        json: (value: unknown) => {
          body = value;
          return res;
        },
        end: () => res,
      };
      const req = {
        method: 'GET',
        path: '/api/whoami',
        headers: { 'x-forwarded-for': forwardedFor },
        query: {},
        socket: { remoteAddress: '169.254.8.129' },
      };
      await router.handle(req as unknown as Request, res as unknown as Response);
      return body;
    };
    expect(await answer(`${CLIENT}, ${FRONT_END}`)).toEqual({ ip: CLIENT });
    expect(await answer(`203.0.113.1, ${CLIENT}, ${FRONT_END}`)).toEqual({ ip: CLIENT });
  });
});
