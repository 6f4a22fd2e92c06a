import type { DeviceType } from '@esp32cloud/protocol';
import { effect, signal } from '@preact/signals';

// The wizard's progress, kept in sessionStorage so signing in or up (or a reload, or a trip to the device's
// setup access point and back) never loses it. Never holds the Wi-Fi password.

export const WIZARD_STEPS = ['find', 'check', 'account', 'claim', 'wifi', 'done'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export interface WizardState {
  step: WizardStep;
  serial: string;
  claimCode: string;
  /** From the QR link (a hint) or, authoritative, from validation. */
  type: DeviceType | null;
  /** Where to go when done: a path on our own origin, checked on entry. */
  redirect: string | null;
  deviceId: string | null;
  deviceName: string;
  ssid: string;
}

export const EMPTY_WIZARD: WizardState = {
  step: 'find',
  serial: '',
  claimCode: '',
  type: null,
  redirect: null,
  deviceId: null,
  deviceName: '',
  ssid: '',
};

const STORAGE_KEY = 'esp32cloud.setup';

function load(): WizardState {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return EMPTY_WIZARD;
    const parsed = JSON.parse(raw) as Partial<WizardState>;
    const step = WIZARD_STEPS.includes(parsed.step as WizardStep) ? (parsed.step as WizardStep) : 'find';
    return { ...EMPTY_WIZARD, ...parsed, step };
  } catch {
    return EMPTY_WIZARD;
  }
}

export const wizard = signal<WizardState>(load());

effect(() => {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(wizard.value));
  } catch {
    // storage unavailable: progress lasts for this page only
  }
});

export function updateWizard(patch: Partial<WizardState>): void {
  wizard.value = { ...wizard.value, ...patch };
}

export function resetWizard(patch: Partial<WizardState> = {}): void {
  wizard.value = { ...EMPTY_WIZARD, ...patch };
}
