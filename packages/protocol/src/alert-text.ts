import type { AlertFacts, AlertLanguage, AlertSeverity } from './alerts.ts';
import { CATALOGUE } from './catalogue.ts';

// What an alert says, in Thai or English: one wording for the email templates (bridge) and the notification
// centre (web app), so a customer reads the same sentence everywhere. Browser-safe.

const SEVERITY: Record<AlertLanguage, Record<AlertSeverity, string>> = {
  th: { info: 'แจ้งให้ทราบ', warning: 'คำเตือน', critical: 'วิกฤต' },
  en: { info: 'Info', warning: 'Warning', critical: 'Critical' },
};

const READING: Record<AlertLanguage, Record<string, string>> = {
  th: { temperature: 'อุณหภูมิ', humidity: 'ความชื้น', pressure: 'ความกดอากาศ' },
  en: { temperature: 'Temperature', humidity: 'Humidity', pressure: 'Pressure' },
};

function unitOf(reading: string): string {
  for (const spec of Object.values(CATALOGUE)) {
    const found = spec.readings.find((r) => r.key === reading);
    if (found) return found.unit;
  }
  return '';
}

function outputLabel(output: string, lang: AlertLanguage): string {
  const relay = /^relay(\d+)$/.exec(output);
  if (relay) return lang === 'th' ? `รีเลย์ ${relay[1]}` : `Relay ${relay[1]}`;
  const labels: Record<string, [string, string]> = {
    power: ['ไฟ', 'Power'],
    brightness: ['ความสว่าง', 'Brightness'],
    color: ['สี', 'Colour'],
  };
  const pair = labels[output];
  return pair ? pair[lang === 'th' ? 0 : 1] : output;
}

function valueText(value: unknown, lang: AlertLanguage): string {
  if (value === true) return lang === 'th' ? 'เปิด' : 'on';
  if (value === false) return lang === 'th' ? 'ปิด' : 'off';
  return String(value);
}

export function severityLabel(severity: AlertSeverity, lang: AlertLanguage): string {
  return SEVERITY[lang][severity];
}

/** The condition in words, without the device: "temperature above 8 °C for 5 min". */
export function describeCondition(facts: Pick<AlertFacts, 'condition'>, lang: AlertLanguage): string {
  const c = facts.condition;
  const th = lang === 'th';
  switch (c.kind) {
    case 'offline':
      return th
        ? c.minutes > 0
          ? `ออฟไลน์นานกว่า ${c.minutes} นาที`
          : 'ออฟไลน์'
        : c.minutes > 0
          ? `offline for more than ${c.minutes} min`
          : 'offline';
    case 'back_online':
      return th ? 'กลับมาออนไลน์' : 'back online';
    case 'threshold': {
      const name = READING[lang][c.reading] ?? c.reading;
      const unit = unitOf(c.reading);
      const bound = `${c.threshold}${unit ? ` ${unit}` : ''}`;
      const dir = th ? (c.direction === 'above' ? 'สูงกว่า' : 'ต่ำกว่า') : c.direction;
      const span = c.minutes > 0 ? (th ? ` นาน ${c.minutes} นาที` : ` for ${c.minutes} min`) : '';
      return `${name} ${dir} ${bound}${span}`;
    }
    case 'output_changed': {
      const label = outputLabel(c.output, lang);
      if (c.to === undefined) return th ? `${label} เปลี่ยนสถานะ` : `${label} changed`;
      return th ? `${label} ${valueText(c.to, lang)}` : `${label} turned ${valueText(c.to, lang)}`;
    }
    case 'no_data':
      return th ? `ไม่มีข้อมูลนาน ${c.minutes} นาที` : `no data for ${c.minutes} min`;
  }
}

/** One line: "ตู้แช่: อุณหภูมิ สูงกว่า 8 °C (ค่า 8.4)". */
export function describeAlert(facts: AlertFacts, lang: AlertLanguage): string {
  const value =
    facts.value === undefined || facts.condition.kind === 'output_changed'
      ? ''
      : lang === 'th'
        ? ` (ค่า ${valueText(facts.value, lang)})`
        : ` (value ${valueText(facts.value, lang)})`;
  const subject = facts.rule_name ? `${facts.rule_name} — ` : '';
  return `${subject}${facts.device_name}: ${describeCondition(facts, lang)}${value}`;
}
