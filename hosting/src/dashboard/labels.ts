import type { DeviceType, OutputSpec, ReadingSpec } from '@esp32cloud/protocol';
import { type MessageKey, t } from '../i18n/index.ts';

// Catalogue names → the user's language (the catalogue's own labels are English, for operators and logs).

export function typeLabel(type: DeviceType): string {
  return t(`type.${type}` as MessageKey);
}

export function outputLabel(output: OutputSpec): string {
  const relay = /^relay(\d+)$/.exec(output.key);
  if (relay) return t('output.relay', { n: relay[1]! });
  const key = `output.${output.key}` as MessageKey;
  return t(key) === key ? output.label : t(key);
}

export function readingLabel(reading: ReadingSpec): string {
  const key = `reading.${reading.key}` as MessageKey;
  return t(key) === key ? reading.label : t(key);
}
