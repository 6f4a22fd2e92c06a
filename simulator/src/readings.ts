import { CATALOGUE, type DeviceType, type Readings } from '@esp32cloud/protocol';

// Plausible sensor values: a slow random walk around room conditions, clamped to the sensor's range and
// rounded to the precision the catalogue says the device reports.

const CENTRE: Record<string, number> = { temperature: 24, humidity: 55, pressure: 1013 };
const STEP: Record<string, number> = { temperature: 0.3, humidity: 1.5, pressure: 0.4 };
const SPREAD: Record<string, number> = { temperature: 4, humidity: 15, pressure: 8 };

export function initialReadings(type: DeviceType, random = Math.random): Readings {
  const out: Readings = {};
  for (const r of CATALOGUE[type].readings) {
    const centre = CENTRE[r.key] ?? (r.min + r.max) / 2;
    out[r.key] = round(centre + (random() - 0.5) * (SPREAD[r.key] ?? 1), r.precision);
  }
  return out;
}

export function nextReadings(type: DeviceType, previous: Readings, random = Math.random): Readings {
  const out: Readings = {};
  for (const r of CATALOGUE[type].readings) {
    const centre = CENTRE[r.key] ?? (r.min + r.max) / 2;
    const last = previous[r.key] ?? centre;
    // Drift back toward the centre so a long run stays plausible.
    const value = last + (random() - 0.5) * 2 * (STEP[r.key] ?? 1) + (centre - last) * 0.05;
    out[r.key] = round(Math.min(r.max, Math.max(r.min, value)), r.precision);
  }
  return out;
}

function round(value: number, precision: number): number {
  const f = 10 ** precision;
  return Math.round(value * f) / f;
}
