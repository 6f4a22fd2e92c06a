import {
  CATALOGUE,
  type DeviceType,
  type OutputSpec,
  type Outputs,
  type Readings,
  UPDATE_INTERVAL_MAX,
} from './catalogue.ts';

// What a device reports, kept only as far as its type allows (docs/SECURITY.md, "Device input validation").
// A device's credentials can be dumped from its flash, so its messages are untrusted input: an output key its
// type does not have (say `owner_uid`), a level out of range or a reading outside the sensor's physical range
// is dropped field by field and named in `dropped`, so the rest of a good message still lands and the bridge
// can log what it refused.

export interface Sanitized<T> {
  value: T;
  /** `outputs.owner_uid`, `readings.temperature`, …: every field that was not kept. */
  dropped: string[];
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

function outputAllowed(spec: OutputSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'switch':
      return typeof value === 'boolean';
    case 'level':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= (spec.min ?? 0) &&
        value <= (spec.max ?? 100)
      );
    case 'color':
      return typeof value === 'string' && HEX_COLOR.test(value);
  }
}

export function sanitizeOutputs(
  type: DeviceType,
  outputs: Record<string, unknown> | undefined,
): Sanitized<Outputs> {
  const value: Outputs = {};
  const dropped: string[] = [];
  for (const [key, reported] of Object.entries(outputs ?? {})) {
    const spec = CATALOGUE[type].outputs.find((o) => o.key === key);
    if (spec && outputAllowed(spec, reported)) value[key] = reported as Outputs[string];
    else dropped.push(`outputs.${key}`);
  }
  return { value, dropped };
}

export function sanitizeReadings(
  type: DeviceType,
  readings: Record<string, unknown> | undefined,
): Sanitized<Readings> {
  const value: Readings = {};
  const dropped: string[] = [];
  for (const [key, reported] of Object.entries(readings ?? {})) {
    const spec = CATALOGUE[type].readings.find((r) => r.key === key);
    const ok =
      spec !== undefined &&
      typeof reported === 'number' &&
      Number.isFinite(reported) &&
      reported >= spec.min &&
      reported <= spec.max;
    if (ok) value[key] = reported as number;
    else dropped.push(`readings.${key}`);
  }
  return { value, dropped };
}

/** Outputs and readings of a status or an ack's `state`; absent parts stay absent. */
export function sanitizeState(
  type: DeviceType,
  state: { outputs?: Record<string, unknown>; readings?: Record<string, unknown> } | undefined,
): Sanitized<{ outputs?: Outputs; readings?: Readings }> {
  const value: { outputs?: Outputs; readings?: Readings } = {};
  const dropped: string[] = [];
  if (state?.outputs !== undefined) {
    const outputs = sanitizeOutputs(type, state.outputs);
    value.outputs = outputs.value;
    dropped.push(...outputs.dropped);
  }
  if (state?.readings !== undefined) {
    const readings = sanitizeReadings(type, state.readings);
    value.readings = readings.value;
    dropped.push(...readings.dropped);
  }
  return { value, dropped };
}

/**
 * An ack's `result` lands in the command document every viewer reads: only what the catalogue's commands
 * answer is kept (set_interval's `update_interval`, read_now's `readings`), checked like status fields.
 */
export function sanitizeAckResult(
  type: DeviceType,
  result: Record<string, unknown> | undefined,
): Sanitized<Record<string, unknown> | undefined> {
  if (result === undefined) return { value: undefined, dropped: [] };
  const value: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, reported] of Object.entries(result)) {
    if (
      key === 'update_interval' &&
      typeof reported === 'number' &&
      Number.isInteger(reported) &&
      reported > 0 &&
      reported <= UPDATE_INTERVAL_MAX
    ) {
      value[key] = reported;
    } else if (
      key === 'readings' &&
      typeof reported === 'object' &&
      reported !== null &&
      !Array.isArray(reported)
    ) {
      const readings = sanitizeReadings(type, reported as Record<string, unknown>);
      value[key] = readings.value;
      dropped.push(...readings.dropped.map((field) => `result.${field}`));
    } else dropped.push(`result.${key}`);
  }
  return { value, dropped };
}
