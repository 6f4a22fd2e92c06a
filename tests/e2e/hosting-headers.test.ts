import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { productionHostingHeaders } from '../../scripts/lib/hosting-headers.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// Hosting's security headers (firebase.json; docs/SECURITY.md "Hosting headers") in real Chromium: present on
// every served path, the app loads and signs in against the Auth and Firestore emulators with no Content
// Security Policy violation, and a page on another origin cannot frame it.

const hasChromium = requireProgram('chromium');

function productionHeader(name: string): string {
  const all = productionHostingHeaders().find((rule) => rule.source === '**')?.headers ?? [];
  return all.find((header) => header.key.toLowerCase() === name.toLowerCase())?.value ?? '';
}

describe('hosting headers in firebase.json', () => {
  it('are tight in production: no connection to the visitor’s own machine, no framing, no inline script', () => {
    const csp = productionHeader('Content-Security-Policy');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/script-src 'self' https:\/\/apis\.google\.com;/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(productionHeader('X-Frame-Options')).toBe('DENY');
    expect(productionHeader('X-Content-Type-Options')).toBe('nosniff');
    expect(productionHeader('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(productionHeader('Permissions-Policy')).toContain('camera=(self)');
    // Chromium has no "bluetooth" policy feature (it logs the header as erroneous); see docs/SECURITY.md.
    expect(productionHeader('Permissions-Policy')).not.toContain('bluetooth');
  });
});

describe.skipIf(!hasChromium)('hosting headers in Chromium (Auth + Firestore emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let framer: http.Server;
  let framerUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    // Another origin (its own port) that tries to embed the app.
    framer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>framer</title><iframe id="victim" src="${web.url}/signin"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    framer?.closeAllConnections();
    await new Promise((resolve) => framer?.close(resolve));
    await web?.stop();
    await stack?.stop();
  });

  it('sends the headers on the page, the SPA fallback, assets and the runtime config', async () => {
    for (const route of ['/', '/signin', '/devices/x/settings', '/app-config.js']) {
      const response = await fetch(`${web.url}${route}`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect({ route, frameAncestors: csp.includes("frame-ancestors 'none'") }).toEqual({
        route,
        frameAncestors: true,
      });
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('permissions-policy')).toContain('camera=(self)');
      // Locally, exactly this stack's emulators are added to connect-src; nothing else is loosened.
      expect(csp).toContain(`http://${stack.authHost}`);
      expect(csp).toContain(`http://${stack.firestoreHost}`);
      expect(csp.replace(/ http:\/\/127\.0\.0\.1:\d+/g, '')).toBe(
        productionHeader('Content-Security-Policy'),
      );
    }
  });

  it('loads, signs up and reloads signed in with no Content Security Policy violation', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const cspMessages: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Permissions-Policy|Permissions Policy/i.test(text)) cspMessages.push(text);
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    const email = uniqueEmail('csp');
    await page.goto(`${web.url}/`);
    await page.waitForURL(/\/signin/);
    await page.getByRole('button', { name: 'ยังไม่มีบัญชี? สร้างบัญชี' }).click();
    await page.getByLabel('อีเมล').fill(email);
    await page.getByLabel('รหัสผ่าน').fill('correct-horse-42');
    await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('signed-in-as').getByText(email).waitFor();
    await page.reload();
    await page.getByTestId('signed-in-as').getByText(email).waitFor();
    // Give the dashboard's Firestore listeners a moment to connect to the emulator.
    await page.waitForTimeout(1500);
    await screenshot(page, 'hosting-headers-signed-in');
    const violations = await page.evaluate(
      () => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations,
    );
    expect(violations).toEqual([]);
    expect(cspMessages).toEqual([]);
    expect(errors).toEqual([]);
    // The camera (QR scanning) stays allowed for the app itself; the microphone is off.
    const allowed = await page.evaluate(() => {
      const policy = (document as unknown as { featurePolicy?: { allowsFeature(f: string): boolean } })
        .featurePolicy;
      return policy
        ? { camera: policy.allowsFeature('camera'), microphone: policy.allowsFeature('microphone') }
        : null;
    });
    if (allowed) expect(allowed).toEqual({ camera: true, microphone: false });
    await page.context().close();
  });

  it('refuses to be framed by another origin', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors|X-Frame-Options|Refused to (display|frame)/i.test(message.text()))
        refusals.push(message.text());
    });
    await page.goto(framerUrl);
    await page.waitForSelector('#victim');
    await page.waitForTimeout(1500);
    const child = page.frames().find((frame) => frame !== page.mainFrame());
    // The blocked frame shows Chromium's error page: none of the app's markup is rendered inside it.
    const appRendered = child
      ? await child
          .locator('#app')
          .count()
          .catch(() => 0)
      : 0;
    expect(appRendered).toBe(0);
    expect(refusals.length).toBeGreaterThan(0);
    await page.context().close();
  });
});
