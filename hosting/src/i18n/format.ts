import type { ReadingSpec } from '@esp32cloud/protocol';
import { type Language, language, t } from './index.ts';

// The one place the app turns times, dates and numbers into text, through Intl in the current language.
// Thai dates use the Buddhist era (พ.ศ. 2569), as Thai readers expect; English uses the Gregorian calendar.

const LOCALES: Record<Language, string> = { th: 'th-TH-u-ca-buddhist', en: 'en-GB' };

/** The Intl locale of a language (Thai with the Buddhist calendar). */
export function localeOf(lang: Language = language.value): string {
  return LOCALES[lang];
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "3 minutes ago" / "3 นาทีที่ผ่านมา", in the largest unit that fits. */
export function relativeTime(date: Date, now = Date.now(), lang: Language = language.value): string {
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  let amount = (date.getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return format.format(Math.round(amount), 'year');
}

/** A device's last contact as a relative time, or "never". */
export function lastSeenText(date: Date | null, now = Date.now()): string {
  if (!date) return t('device.neverSeen');
  return relativeTime(date, now);
}

/** "2 ธ.ค. 2569 10:41" / "2 Dec 2026, 10:41". */
export function dateTimeText(date: Date, lang: Language = language.value): string {
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** "2 ธันวาคม 2569" / "2 December 2026". */
export function dateText(date: Date, lang: Language = language.value): string {
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'long' }).format(date);
}

export function numberText(value: number, fractionDigits = 0, lang: Language = language.value): string {
  return new Intl.NumberFormat(localeOf(lang), {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

export function readingText(spec: ReadingSpec, value: number | undefined): string {
  if (typeof value !== 'number') return '—';
  return `${numberText(value, spec.precision)} ${spec.unit}`;
}
