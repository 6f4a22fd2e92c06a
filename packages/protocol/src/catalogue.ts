import { z } from 'zod';

// The device-type catalogue: the one definition of what each product can do. Functions validate commands
// against it, the bridge validates telemetry against it, the simulator behaves by it and the web app draws
// its controls from it. No Node-only imports here: the app bundles this file.

export const DEVICE_TYPES = ['4Relay', 'LED', 'Sensor'] as const;
export const deviceTypeSchema = z.enum(DEVICE_TYPES);
export type DeviceType = z.infer<typeof deviceTypeSchema>;

/** What a single output's value is: a relay or power switch (boolean), a level 0–100, or an RGB colour. */
export type OutputKind = 'switch' | 'level' | 'color';
export type OutputValue = boolean | number | string;
export type Outputs = Record<string, OutputValue>;
export type Readings = Record<string, number>;

export interface OutputSpec {
  /** Key in `state.outputs` / `desired.outputs`. */
  key: string;
  kind: OutputKind;
  label: string;
  /** ESP32 GPIO driving this output, when it is one pin. */
  pin?: number;
  min?: number;
  max?: number;
  default: OutputValue;
}

export interface ReadingSpec {
  /** Key in `state.readings`. */
  key: string;
  label: string;
  unit: string;
  /** Physical range of the sensor; values outside are rejected as garbage. */
  min: number;
  max: number;
  /** Decimal places the device reports. */
  precision: number;
}

export interface CommandSpec<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Parameters beside `command` (and `id`, `v`) in the control payload. */
  params: P;
  /** Outputs the device will report after obeying; empty when the command changes no output. */
  desiredOutputs: (params: z.infer<P>) => Outputs;
}

export interface DeviceTypeDefaults {
  /** Seconds between status/heartbeat publications (device_configs.update_interval). */
  update_interval: number;
}

export interface DeviceTypeSpec {
  type: DeviceType;
  label: string;
  description: string;
  outputs: readonly OutputSpec[];
  readings: readonly ReadingSpec[];
  commands: Readonly<Record<string, CommandSpec>>;
  defaults: DeviceTypeDefaults;
}

/** update_interval bounds in seconds, shared by the config API and the `set_interval` command. */
export const UPDATE_INTERVAL_MIN = 5;
export const UPDATE_INTERVAL_MAX = 3600;
export const DEFAULT_UPDATE_INTERVAL = 30;

const onOff = z.enum(['on', 'off']);
export type OnOff = z.infer<typeof onOff>;

function command<P extends z.ZodType>(spec: CommandSpec<P>): CommandSpec {
  return spec as unknown as CommandSpec;
}

const setIntervalCommand = command({
  name: 'set_interval',
  description: 'Change how often the device reports (seconds).',
  params: z.strictObject({ seconds: z.number().int().min(UPDATE_INTERVAL_MIN).max(UPDATE_INTERVAL_MAX) }),
  desiredOutputs: () => ({}),
});

const pingCommand = command({
  name: 'ping',
  description: 'Ask the device to acknowledge and publish its status now.',
  params: z.strictObject({}),
  desiredOutputs: () => ({}),
});

// ---- 4Relay ---------------------------------------------------------------------------------------------

export const RELAY_PINS = [25, 26, 27, 14] as const;
const relayKey = (index: number) => `relay${index}`;

/** `{pin: 25}` or `{relay: 1}` (1-based) names a relay; both accepted, the documented example uses the pin. */
const relayParams = z
  .strictObject({
    pin: z
      .number()
      .int()
      .refine((pin) => (RELAY_PINS as readonly number[]).includes(pin), {
        message: `pin must be one of ${RELAY_PINS.join(', ')}`,
      })
      .optional(),
    relay: z.number().int().min(1).max(RELAY_PINS.length).optional(),
    state: onOff,
  })
  .refine((p) => (p.pin === undefined) !== (p.relay === undefined), {
    message: 'name exactly one of pin or relay',
  });

/** The 1-based relay index a `relay` command addresses. */
export function relayIndexOf(params: { pin?: number; relay?: number }): number {
  if (params.relay !== undefined) return params.relay;
  return (RELAY_PINS as readonly number[]).indexOf(params.pin as number) + 1;
}

const fourRelay: DeviceTypeSpec = {
  type: '4Relay',
  label: '4-channel relay board',
  description: 'Four relays switching mains loads (lights, pumps, fans).',
  outputs: RELAY_PINS.map((pin, i) => ({
    key: relayKey(i + 1),
    kind: 'switch' as const,
    label: `Relay ${i + 1}`,
    pin,
    default: false,
  })),
  readings: [],
  commands: {
    relay: command({
      name: 'relay',
      description: 'Switch one relay on or off.',
      params: relayParams,
      desiredOutputs: (p) => ({ [relayKey(relayIndexOf(p))]: p.state === 'on' }),
    }),
    all: command({
      name: 'all',
      description: 'Switch every relay on or off.',
      params: z.strictObject({ state: onOff }),
      desiredOutputs: (p) =>
        Object.fromEntries(RELAY_PINS.map((_, i) => [relayKey(i + 1), p.state === 'on'])) as Outputs,
    }),
    set_interval: setIntervalCommand,
    ping: pingCommand,
  },
  defaults: { update_interval: DEFAULT_UPDATE_INTERVAL },
};

// ---- LED ------------------------------------------------------------------------------------------------

export const LED_PIN = 2;
const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb');

const ledParams = z
  .strictObject({
    state: onOff.optional(),
    brightness: z.number().int().min(0).max(100).optional(),
    color: hexColor.optional(),
  })
  .refine((p) => p.state !== undefined || p.brightness !== undefined || p.color !== undefined, {
    message: 'give at least one of state, brightness, color',
  });

const led: DeviceTypeSpec = {
  type: 'LED',
  label: 'LED controller',
  description: 'A dimmable RGB LED strip: on/off, brightness 0–100 and colour.',
  outputs: [
    { key: 'power', kind: 'switch', label: 'Power', pin: LED_PIN, default: false },
    { key: 'brightness', kind: 'level', label: 'Brightness', min: 0, max: 100, default: 100 },
    { key: 'color', kind: 'color', label: 'Colour', default: '#ffffff' },
  ],
  readings: [],
  commands: {
    led: command({
      name: 'led',
      description: 'Set power, brightness and/or colour.',
      params: ledParams,
      desiredOutputs: (p) => ({
        ...(p.state === undefined ? {} : { power: p.state === 'on' }),
        ...(p.brightness === undefined ? {} : { brightness: p.brightness }),
        ...(p.color === undefined ? {} : { color: p.color.toLowerCase() }),
      }),
    }),
    set_interval: setIntervalCommand,
    ping: pingCommand,
  },
  defaults: { update_interval: DEFAULT_UPDATE_INTERVAL },
};

// ---- Sensor ---------------------------------------------------------------------------------------------

const sensor: DeviceTypeSpec = {
  type: 'Sensor',
  label: 'Environment sensor',
  description: 'Temperature, humidity and air pressure, reported every update interval.',
  outputs: [],
  readings: [
    { key: 'temperature', label: 'Temperature', unit: '°C', min: -40, max: 85, precision: 1 },
    { key: 'humidity', label: 'Humidity', unit: '%', min: 0, max: 100, precision: 1 },
    { key: 'pressure', label: 'Pressure', unit: 'hPa', min: 300, max: 1100, precision: 1 },
  ],
  commands: {
    read_now: command({
      name: 'read_now',
      description: 'Take a reading now and publish it.',
      params: z.strictObject({}),
      desiredOutputs: () => ({}),
    }),
    set_interval: setIntervalCommand,
    ping: pingCommand,
  },
  defaults: { update_interval: DEFAULT_UPDATE_INTERVAL },
};

export const CATALOGUE: Readonly<Record<DeviceType, DeviceTypeSpec>> = {
  '4Relay': fourRelay,
  LED: led,
  Sensor: sensor,
};

export function deviceTypeSpec(type: DeviceType): DeviceTypeSpec {
  return CATALOGUE[type];
}

export function isDeviceType(value: unknown): value is DeviceType {
  return typeof value === 'string' && (DEVICE_TYPES as readonly string[]).includes(value);
}

/** Outputs of a freshly powered device of this type. */
export function defaultOutputs(type: DeviceType): Outputs {
  return Object.fromEntries(CATALOGUE[type].outputs.map((o) => [o.key, o.default]));
}

/** Schema of `state.outputs` (partial allowed: a device may report only what changed). */
export function outputsSchema(type: DeviceType): z.ZodType<Outputs> {
  const shape: Record<string, z.ZodType> = {};
  for (const o of CATALOGUE[type].outputs) {
    shape[o.key] = (
      o.kind === 'switch'
        ? z.boolean()
        : o.kind === 'level'
          ? z
              .number()
              .min(o.min ?? 0)
              .max(o.max ?? 100)
          : hexColor
    ).optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<Outputs>;
}

/** Schema of `state.readings` for this type (partial allowed). */
export function readingsSchema(type: DeviceType): z.ZodType<Readings> {
  const shape: Record<string, z.ZodType> = {};
  for (const r of CATALOGUE[type].readings) shape[r.key] = z.number().min(r.min).max(r.max).optional();
  return z.strictObject(shape) as unknown as z.ZodType<Readings>;
}

/** A command as accepted from the API or the control topic: its name and validated parameters. */
export interface ParsedCommand {
  command: string;
  params: Record<string, unknown>;
  /** Outputs the device should report once it obeys (the device shadow's `desired`). */
  desiredOutputs: Outputs;
}

export type ParseCommandResult = { ok: true; value: ParsedCommand } | { ok: false; error: string };

/** Fields of a control body that are envelope, not command parameters. */
const ENVELOPE_KEYS = new Set(['command', 'id', 'v']);

/**
 * Validates `{command, ...params}` (id and v ignored) for a device type. The documented
 * `{"command":"relay","pin":25,"state":"on"}` parses for a 4Relay.
 */
export function parseCommand(type: DeviceType, body: unknown): ParseCommandResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'command must be a JSON object' };
  }
  const record = body as Record<string, unknown>;
  const name = record.command;
  if (typeof name !== 'string' || name === '') return { ok: false, error: 'command is required' };
  const spec = Object.hasOwn(CATALOGUE[type].commands, name) ? CATALOGUE[type].commands[name] : undefined;
  if (!spec) {
    const known = Object.keys(CATALOGUE[type].commands).join(', ');
    return { ok: false, error: `a ${type} does not understand "${name}" (known: ${known})` };
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!ENVELOPE_KEYS.has(k)) raw[k] = v;
  const parsed = spec.params.safeParse(raw);
  if (!parsed.success) {
    const error = parsed.error.issues
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    return { ok: false, error };
  }
  const params = parsed.data as Record<string, unknown>;
  return { ok: true, value: { command: name, params, desiredOutputs: spec.desiredOutputs(params) } };
}
