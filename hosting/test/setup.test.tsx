// @vitest-environment happy-dom
import { makeSerial } from '@esp32cloud/protocol';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { language } from '../src/i18n/index.ts';
import { navigate } from '../src/router.ts';
import { FindStep, serialFeedback } from '../src/setup/FindStep.tsx';
import Setup from '../src/setup/Setup.tsx';
import { parseScanned } from '../src/setup/scanner.ts';
import { resetWizard, wizard } from '../src/setup/state.ts';

beforeEach(() => {
  resetWizard();
  language.value = 'th';
});
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

const serial = makeSerial(12345);
const typo = `ESP3200012346${serial.slice(-1)}`;

describe('serial feedback', () => {
  it('says nothing for an empty field, explains the format, and catches a typo', () => {
    expect(serialFeedback('')).toEqual({ valid: false, message: null });
    expect(serialFeedback('ESP32').message).toContain('ESP32');
    expect(serialFeedback(typo).message).toContain('พิมพ์ผิด');
    expect(serialFeedback(serial.toLowerCase().replace('esp32', 'esp32 ')).valid).toBe(true);
  });
});

describe('scanned codes', () => {
  it('reads our setup link from any origin, a bare serial, and rejects a foreign link', () => {
    expect(parseScanned(`https://app.example/setup?sn=${serial}&c=ABCDE-12345&type=LED`)).toEqual({
      serial,
      claimCode: 'ABCDE12345',
      type: 'LED',
    });
    expect(parseScanned(` ${serial.toLowerCase()} `)).toEqual({ serial });
    expect(parseScanned('https://example.com/menu')).toBeNull();
  });
});

describe('FindStep', () => {
  it('validates the serial live and keeps Next disabled until it is right', async () => {
    render(<FindStep />);
    const input = screen.getByRole('textbox', { name: 'หมายเลขเครื่อง (Serial Number)' });
    const next = screen.getByRole('button', { name: 'ถัดไป' }) as HTMLButtonElement;
    fireEvent.input(input, { target: { value: typo } });
    expect(await screen.findByText(/พิมพ์ผิด/)).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(next.disabled).toBe(true);

    fireEvent.input(input, { target: { value: `esp32 0001-2345 ${serial.slice(-1).toLowerCase()}` } });
    expect(await screen.findByText('หมายเลขเครื่องถูกต้อง')).toBeTruthy();
    expect(next.disabled).toBe(false);
    fireEvent.input(screen.getByRole('textbox', { name: 'รหัสยืนยัน (Claim code)' }), {
      target: { value: 'abcde-fghjk' },
    });
    fireEvent.click(next);
    expect(wizard.value).toMatchObject({ step: 'check', serial, claimCode: 'ABCDEFGHJK' });
    expect(JSON.parse(sessionStorage.getItem('esp32cloud.setup')!)).toMatchObject({ step: 'check', serial });
  });
});

describe('Setup entry from a QR link', () => {
  it('takes sn, c and type, refuses a foreign redirect and strips the secrets from the address bar', async () => {
    navigate(`/setup?sn=${serial}&c=abcde-fghjk&type=LED&redirect=https%3A%2F%2Fevil.example%2F`);
    render(<Setup />);
    await screen.findByTestId('check-serial');
    expect(wizard.value).toMatchObject({
      serial,
      claimCode: 'ABCDEFGHJK',
      type: 'LED',
      redirect: null,
      step: 'check',
    });
    expect(window.location.pathname + window.location.search).toBe('/setup');
  });

  it('keeps a redirect on our own origin', async () => {
    navigate(`/setup?sn=${serial}&redirect=%2Fdevices%2FESP32_AA5510`);
    render(<Setup />);
    await screen.findByTestId('check-serial');
    expect(wizard.value.redirect).toBe('/devices/ESP32_AA5510');
  });
});
