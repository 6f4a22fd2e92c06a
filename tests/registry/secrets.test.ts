import {
  hashClaimCode,
  hashRandomSecret,
  randomBrokerPassword,
  verifyClaimCode,
  verifySecret,
} from '@esp32cloud/functions/secrets';
import { formatClaimCode, randomClaimCode } from '@esp32cloud/protocol';
import { describe, expect, it } from 'vitest';
import { labelSheetHtml } from '../../scripts/provision/labels.ts';

// Only hashes of the per-device secrets are stored; these are the checks a claim relies on.

describe('claim-code hashes', () => {
  it('verify the code as printed or as typed, and nothing else', async () => {
    const code = randomClaimCode();
    const stored = await hashClaimCode(code, 'pepper-1');
    expect(stored).toMatch(/^scrypt\$4096\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain(code);
    expect(await verifyClaimCode(code, stored, 'pepper-1')).toBe(true);
    expect(await verifyClaimCode(formatClaimCode(code).toLowerCase(), stored, 'pepper-1')).toBe(true);
    const other = code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
    expect(await verifyClaimCode(other, stored, 'pepper-1')).toBe(false);
  });

  it('depend on the server pepper and a per-hash salt', async () => {
    const code = randomClaimCode();
    const [a, b] = await Promise.all([hashClaimCode(code, 'pepper-1'), hashClaimCode(code, 'pepper-1')]);
    expect(a).not.toBe(b);
    expect(await verifyClaimCode(code, a, 'pepper-2')).toBe(false);
  });

  it('never match a malformed stored value', async () => {
    for (const stored of ['', 'plain', 'scrypt$0$8$1$abc$def', 'scrypt$4096$8$1$abc', 'md5$abc']) {
      expect(await verifySecret('anything', stored, 'p')).toBe(false);
    }
  });
});

describe('broker password hashes', () => {
  it('are keyed HMACs of 128-bit random passwords', async () => {
    const password = randomBrokerPassword();
    expect(Buffer.from(password, 'base64url')).toHaveLength(16);
    const stored = hashRandomSecret(password, 'pepper');
    expect(stored.startsWith('hmac$')).toBe(true);
    expect(await verifySecret(password, stored, 'pepper')).toBe(true);
    expect(await verifySecret(`${password}x`, stored, 'pepper')).toBe(false);
    expect(await verifySecret(password, stored, 'other')).toBe(false);
  });
});

describe('label sheet', () => {
  it('escapes text and puts 24 labels on each A4 page', () => {
    const labels = Array.from({ length: 25 }, (_, i) => ({
      serial: `ESP32000000${String(i).padStart(2, '0')}A`,
      deviceType: 'Sensor' as const,
      firmwareVersion: '1.0.0<b>',
      claimCode: 'ABCDE12345',
      setupUrl: `https://app.example.test/setup?sn=X${i}&c=ABCDE12345&type=Sensor`,
      qrSvg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
    }));
    const html = labelSheetHtml('batch "1"', labels);
    expect(html.match(/<section class="page">/g)).toHaveLength(2);
    expect(html.match(/class="label"/g)).toHaveLength(25);
    expect(html).toContain('FW 1.0.0&lt;b&gt;');
    expect(html).toContain('batch &quot;1&quot;');
    expect(html).toContain('Code ABCDE-12345');
    expect(html).toContain(
      'data-url="https://app.example.test/setup?sn=X0&amp;c=ABCDE12345&amp;type=Sensor"',
    );
    expect(html).not.toContain('<?xml');
  });
});
