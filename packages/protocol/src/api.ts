import { z } from 'zod';
import {
  type DeviceType,
  deviceTypeSchema,
  type Outputs,
  RELAY_PINS,
  type Readings,
  UPDATE_INTERVAL_MAX,
  UPDATE_INTERVAL_MIN,
} from './catalogue.ts';
import type { FlashConfig } from './flash-config.ts';

// Request schemas and response shapes of the device-registry API (docs/DATA_MODEL.md), shared by the
// functions (which validate with these schemas) and the web app (which types its calls with them).
// Browser-safe: no Node imports.

export type AccessLevel = 'owner' | 'controller' | 'viewer';
export type DeviceStatus = 'available' | 'registered' | 'active';

/** Error codes the registry routes answer with, beside the generic ones of the API. */
export const REGISTRY_ERRORS = {
  /** 400: the serial is malformed or its check letter does not match. */
  invalidSerial: 'invalid_serial',
  /** 403: the claim code does not belong to this serial. */
  wrongClaimCode: 'wrong_claim_code',
  /** 409: the device already has an owner. */
  alreadyClaimed: 'already_claimed',
  /** 409: a provisioning request named a serial that exists. */
  serialTaken: 'serial_taken',
  /** 409: the device was given up; its printed label works again only after a factory reset. */
  resetRequired: 'reset_required',
  /** 403: this account gave the device up; only its new holder may claim it after a reset. */
  formerOwner: 'former_owner',
} as const;

// ---- device names -----------------------------------------------------------------------------------------

export const DEVICE_NAME_MAX_GRAPHEMES = 64;
/** Bytes are bounded too, so a name of 64 giant emoji clusters cannot bloat documents. */
export const DEVICE_NAME_MAX_BYTES = 512;

// Control characters (C0, DEL, C1), line/paragraph separators and the bidi overrides/isolates that can make a
// name display as something else. Zero-width joiners stay: emoji and several scripts need them.
const FORBIDDEN_NAME_CHARS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** Counts user-perceived characters, so ห้องนั่งเล่น (12 code points) or a family emoji counts right. */
export function graphemeCount(text: string): number {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/**
 * A name people type (a device, a room): any Unicode, NFC-normalized and trimmed; 1 to `maxGraphemes` characters
 * and at most `maxBytes` of UTF-8; no control characters. Errors name the field.
 */
export function unicodeNameSchema(field: string, maxGraphemes: number, maxBytes: number) {
  return z
    .string()
    .transform((name) => name.normalize('NFC').trim())
    .refine((name) => name.length > 0, { message: `${field} must not be empty` })
    .refine((name) => !FORBIDDEN_NAME_CHARS.test(name), {
      message: `${field} must not contain control characters`,
    })
    .refine((name) => graphemeCount(name) <= maxGraphemes, {
      message: `${field} must be at most ${maxGraphemes} characters`,
    })
    .refine((name) => new TextEncoder().encode(name).length <= maxBytes, {
      message: `${field} must be at most ${maxBytes} bytes of UTF-8`,
    });
}

/** Any Unicode, NFC-normalized and trimmed; 1–64 characters; no control characters. */
export const deviceNameSchema = unicodeNameSchema(
  'device_name',
  DEVICE_NAME_MAX_GRAPHEMES,
  DEVICE_NAME_MAX_BYTES,
);

// ---- GET /api/devices/validate?sn= ---------------------------------------------------------------------------

export const validateQuerySchema = z.object({ sn: z.string().min(1).max(64) });

export interface ValidateResponse {
  serial_number: string;
  valid_format: true;
  exists: boolean;
  device_type?: DeviceType;
  /** `reset_required`: released by its owner; a factory reset by the button opens it to its label again. */
  availability?: 'available' | 'taken' | 'reset_required';
}

// ---- POST /api/devices/register ------------------------------------------------------------------------------

export const registerBodySchema = z.object({
  serial_number: z.string().min(1).max(64),
  claim_code: z.string().min(1).max(64),
  device_name: deviceNameSchema,
  /** Accepted for clients that name the user; must equal the caller's uid (403 otherwise). */
  user_id: z.string().min(1).max(128).optional(),
});
export type RegisterBody = z.input<typeof registerBodySchema>;

export interface RegisterResponse {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  device_name: string;
  access_level: 'owner';
}

// ---- devices as a user sees them ------------------------------------------------------------------------------

export interface DeviceState {
  online: boolean;
  /** ISO 8601 or null. */
  last_seen: string | null;
  outputs: Outputs;
  readings: Readings;
  rssi?: number;
  firmware?: string;
}

export interface DesiredState {
  outputs: Outputs;
  updated_at?: string | null;
  command_id?: string | null;
}

export interface UserDeviceSummary {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  device_name: string;
  access_level: AccessLevel;
  status: DeviceStatus;
  firmware_version: string;
  state: DeviceState;
  desired: DesiredState | null;
  added_at: string | null;
  last_accessed: string | null;
}

export interface ListDevicesResponse {
  devices: UserDeviceSummary[];
}

export interface DeviceStatusResponse {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  status: DeviceStatus;
  access_level: AccessLevel | null;
  state: DeviceState;
  desired: DesiredState | null;
}

// ---- PUT /api/devices/{id}/config ----------------------------------------------------------------------------

const relayNames = z.strictObject(
  Object.fromEntries(
    RELAY_PINS.map((_, i) => [`relay${i + 1}`, z.string().trim().min(1).max(32).optional()]),
  ) as Record<string, z.ZodOptional<z.ZodString>>,
);
const powerOnState = z.enum(['off', 'restore']);

/** custom_settings per device type: what each firmware understands. Strict, so typos are rejected. */
export const CUSTOM_SETTINGS_SCHEMAS = {
  '4Relay': z.strictObject({ relay_names: relayNames.optional(), power_on_state: powerOnState.optional() }),
  LED: z.strictObject({
    power_on_state: powerOnState.optional(),
    fade_ms: z.number().int().min(0).max(5000).optional(),
  }),
  Sensor: z.strictObject({
    temperature_unit: z.enum(['C', 'F']).optional(),
    temperature_offset: z.number().min(-10).max(10).optional(),
    humidity_offset: z.number().min(-20).max(20).optional(),
  }),
} as const satisfies Record<DeviceType, z.ZodType>;

/** A Wi-Fi SSID is 1–32 bytes. The password never reaches the cloud: the device gets it over local setup. */
const wifiSsid = z
  .string()
  .refine((s) => s.length > 0 && new TextEncoder().encode(s).length <= 32, {
    message: 'wifi_ssid must be 1–32 bytes',
  })
  .nullable();

export function configUpdateSchema(type: DeviceType) {
  return z
    .strictObject({
      wifi_ssid: wifiSsid.optional(),
      update_interval: z.number().int().min(UPDATE_INTERVAL_MIN).max(UPDATE_INTERVAL_MAX).optional(),
      custom_settings: CUSTOM_SETTINGS_SCHEMAS[type].optional(),
    })
    .refine((b) => Object.keys(b).length > 0, {
      message: 'give at least one of wifi_ssid, update_interval, custom_settings',
    });
}
export type ConfigUpdate = z.infer<ReturnType<typeof configUpdateSchema>>;

/** The body before per-type validation: the route reads the device's type first. */
export const configUpdateEnvelopeSchema = z.record(z.string(), z.unknown());

export interface DeviceConfigResponse {
  device_id: string;
  wifi_ssid: string | null;
  mqtt_broker_url: string;
  update_interval: number;
  custom_settings: Record<string, unknown>;
  updated_at: string | null;
}

// ---- PATCH / DELETE /api/users/{uid}/devices/{id} -------------------------------------------------------------

export const renameBodySchema = z.object({ device_name: deviceNameSchema });

export interface RenameResponse {
  device_id: string;
  device_name: string;
}

/**
 * DELETE by the owner: the device has no owner. Its printed label claims it again only after a factory reset
 * by the button (docs/REGISTRY.md), so whoever holds the unit claims it, not the account that gave it up.
 */
export interface ReleaseResponse {
  device_id: string;
  serial_number: string;
  status: 'available';
  released: true;
  next_claim: 'after_factory_reset';
}

// ---- POST /api/devices (operator) -----------------------------------------------------------------------------

/** A factory script's body for one new device. A serial is generated when none is given. */
export const createDeviceBodySchema = z.object({
  serial_number: z.string().min(1).max(64).optional(),
  device_type: deviceTypeSchema,
  firmware_version: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[0-9A-Za-z.+-]+$/, 'firmware_version: letters, digits, . + - only'),
  status: z.literal('available').optional(),
  batch_id: z.string().min(1).max(64).optional(),
});
export type CreateDeviceBody = z.input<typeof createDeviceBodySchema>;

export interface CreateDeviceResponse {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  firmware_version: string;
  status: 'available';
  /** Returned once; only its hash is stored. */
  claim_code: string;
  setup_url: string;
  /** What to flash into the unit, including its broker password (returned once). */
  flash_config: FlashConfig;
  /** Whether the broker accepted the device's credentials (false when no broker admin is configured). */
  broker_registered: boolean;
}

/** POST /api/devices/{id}/claim-code (operator): a fresh claim code for support cases. */
export interface ReissueClaimCodeResponse {
  device_id: string;
  serial_number: string;
  claim_code: string;
  setup_url: string;
}

// ---- /api/devices/{id}/shares (owner only) -------------------------------------------------------------------

/** The levels an owner can grant. Ownership itself is never shared; it changes only by release and claim. */
export const SHARE_LEVELS = ['controller', 'viewer'] as const;
export type ShareLevel = (typeof SHARE_LEVELS)[number];

/** Error codes of the sharing routes, beside the generic ones of the API. */
export const SHARING_ERRORS = {
  /** 404: no account uses the email the owner typed. */
  userNotFound: 'user_not_found',
  /** 409: the account has not verified its email yet; sharing and transfer go only to verified accounts. */
  recipientUnverified: 'recipient_unverified',
} as const;

export const shareBodySchema = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('email: not a valid email address')),
  access_level: z.enum(SHARE_LEVELS, {
    error: "access_level must be 'controller' or 'viewer'; ownership cannot be shared",
  }),
});
export type ShareBody = z.input<typeof shareBodySchema>;

/** One person with access to a device; the owner's own row is included with access_level 'owner'. */
export interface DeviceShare {
  user_id: string;
  /** null when the account has no email (or no longer exists). */
  email: string | null;
  display_name?: string;
  access_level: AccessLevel;
  added_at: string | null;
}

/** GET: the owner first, then everyone else in the order they were added. */
export interface ListSharesResponse {
  shares: DeviceShare[];
}

/** POST: 201 when the link is new, 200 when an existing link's level was changed. */
export interface ShareResponse {
  user_id: string;
  email: string;
  access_level: ShareLevel;
}

// ---- ownership transfer (docs/REGISTRY.md) --------------------------------------------------------------------

/** Error codes of the transfer routes, beside SHARING_ERRORS (user_not_found, recipient_unverified). */
export const TRANSFER_ERRORS = {
  /** 404: no pending transfer for this device (or it expired). */
  noTransfer: 'no_transfer',
  /** 410: the transfer's time ran out; the owner can send it again. */
  expired: 'transfer_expired',
  /** 409: the device changed hands since the transfer was sent. */
  stale: 'transfer_stale',
  /** 403: accepting needs a signed-in account whose email is verified. */
  emailUnverified: 'email_unverified',
} as const;

export const transferBodySchema = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('email: not a valid email address')),
});
export type TransferBody = z.input<typeof transferBodySchema>;

/** One pending transfer, as its sender and its recipient see it. */
export interface DeviceTransfer {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  device_name: string;
  from_uid: string;
  from_email: string | null;
  to_uid: string;
  to_email: string;
  created_at: string | null;
  expires_at: string | null;
}

/** GET /api/users/{uid}/transfers: transfers waiting for this account to accept. */
export interface ListTransfersResponse {
  transfers: DeviceTransfer[];
}

/** POST /api/users/{uid}/transfers/{deviceId}/accept: the device is now the caller's. */
export interface AcceptTransferResponse {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  device_name: string;
  access_level: 'owner';
}
