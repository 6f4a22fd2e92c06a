import type { ReadingSpec } from '@esp32cloud/protocol';
import { language, t } from '../i18n/index.ts';

/** "3 minutes ago" in the current language, or "never". */
export function lastSeenText(date: Date | null, now = Date.now()): string {
  if (!date) return t('device.neverSeen');
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(language.value, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86400), 'day');
}

export function readingText(spec: ReadingSpec, value: number | undefined): string {
  if (typeof value !== 'number') return '—';
  return `${value.toFixed(spec.precision)} ${spec.unit}`;
}
