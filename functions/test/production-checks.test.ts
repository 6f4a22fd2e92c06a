import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_CLAIM_CODE_PEPPER } from '../src/config.ts';
import {
  assertSafeForProduction,
  EMULATOR_VARIABLES,
  isDeployed,
  unsafeProductionSettings,
} from '../src/production-checks.ts';

// Safe production defaults: a deployed function refuses to start with local-only settings.

const SAFE = {
  K_SERVICE: 'api',
  CLAIM_CODE_PEPPER: 'k3Jx9-very-long-random-production-pepper-value',
  MQTT_PASSWORD: 'relay-secret',
  APP_URL: 'https://esp32.example.com',
};

describe('production checks', () => {
  it('accept a complete production environment', () => {
    expect(unsafeProductionSettings(SAFE)).toEqual([]);
    expect(() => assertSafeForProduction(SAFE)).not.toThrow();
  });

  it('refuse the development pepper, an empty one and a short one', () => {
    for (const pepper of [DEVELOPMENT_CLAIM_CODE_PEPPER, '', 'short']) {
      expect(() => assertSafeForProduction({ ...SAFE, CLAIM_CODE_PEPPER: pepper })).toThrow(
        /CLAIM_CODE_PEPPER/,
      );
    }
    const { CLAIM_CODE_PEPPER: _unset, ...withoutPepper } = SAFE;
    expect(() => assertSafeForProduction(withoutPepper)).toThrow(/CLAIM_CODE_PEPPER is empty/);
  });

  it('accept billing with both Stripe secrets; refuse the local stand-in and a key without a webhook secret', () => {
    const billing = { ...SAFE, STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' };
    expect(unsafeProductionSettings(billing)).toEqual([]);
    expect(() => assertSafeForProduction({ ...billing, STRIPE_API_HOST: '127.0.0.1' })).toThrow(
      /STRIPE_API_HOST/,
    );
    expect(() => assertSafeForProduction({ ...SAFE, STRIPE_SECRET_KEY: 'sk_live_x' })).toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
  });

  it('refuse every emulator variable', () => {
    for (const name of EMULATOR_VARIABLES) {
      expect(() => assertSafeForProduction({ ...SAFE, [name]: '127.0.0.1:8080' })).toThrow(name);
    }
  });

  it('refuse a missing relay password and a local or plain-http app URL', () => {
    expect(() => assertSafeForProduction({ ...SAFE, MQTT_PASSWORD: '' })).toThrow(/MQTT_PASSWORD/);
    for (const url of ['', 'http://esp32.example.com', 'https://127.0.0.1:5000', 'https://localhost']) {
      expect(() => assertSafeForProduction({ ...SAFE, APP_URL: url })).toThrow(/APP_URL/);
    }
  });

  it('name every problem at once', () => {
    const problems = unsafeProductionSettings({
      K_SERVICE: 'api',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080',
    });
    expect(problems.length).toBe(4);
  });

  it('apply only when deployed: the emulator, local runs and deploy-time analysis are left alone', () => {
    expect(isDeployed({ K_SERVICE: 'api' })).toBe(true);
    expect(isDeployed({ FUNCTION_TARGET: 'api' })).toBe(true);
    expect(isDeployed({ K_SERVICE: 'api', FUNCTIONS_EMULATOR: 'true' })).toBe(false);
    expect(isDeployed({})).toBe(false);
    expect(() => assertSafeForProduction({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080' })).not.toThrow();
  });

  it('stop the deployed bundle from loading with the development defaults', () => {
    const bundle = path.resolve(import.meta.dirname, '../lib/index.js');
    const load = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)});`], {
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const unsafe = load({ K_SERVICE: 'api', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080' });
    expect(unsafe.status).not.toBe(0);
    expect(unsafe.stderr).toContain('Refusing to start with unsafe production settings');
    expect(unsafe.stderr).toContain('CLAIM_CODE_PEPPER is empty');
    expect(unsafe.stderr).toContain('FIRESTORE_EMULATOR_HOST is set');
    const safe = load(SAFE);
    expect({ status: safe.status, stderr: safe.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
