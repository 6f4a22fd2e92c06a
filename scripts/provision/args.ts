import { parseArgs } from 'node:util';
import { config } from '@esp32cloud/functions/config';
import { deviceTypeSchema } from '@esp32cloud/protocol';
import { z } from 'zod';

// Flags of `npm run provision`, validated in one place.

export const USAGE = `Usage: npm run provision -- --type 4Relay|LED|Sensor --count N --firmware X.Y.Z --out DIR
         [--batch ID] [--app-url URL] [--broker-url URL] [--broker-admin-url mqtt://user:pass@host:port]
         [--reissue-missing] [--pdf] [--quiet]

Creates N devices (status available) in Firestore with their configs and secrets, and writes into DIR:
  <serial>.json             the FlashConfig to flash (mode 0600: it holds the device's broker password)
  qr/<serial>.png|svg       QR code of https://<app>/setup?sn=<serial>&c=<claim code>&type=<type>
  labels-<batch>.html       printable A4 label sheet (QR, serial, claim code, type); --pdf also prints
                            labels-<batch>.pdf with a local Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
  batch-<batch>.json        manifest of the batch
Re-running the same --batch never creates more devices; it completes an interrupted batch and rewrites the
label sheet. --reissue-missing gives devices of the batch that have no files in DIR (and are still unclaimed)
new claim codes and broker passwords and writes their files; the old ones stop working.
Environment: FIRESTORE_EMULATOR_HOST (default 127.0.0.1:8080), GCLOUD_PROJECT (default from .firebaserc),
CLAIM_CODE_PEPPER (must match the functions'), APP_URL, DEVICE_BROKER_URL, BROKER_ADMIN_URL.`;

const optionsSchema = z.object({
  type: deviceTypeSchema,
  count: z.coerce.number().int().min(1).max(100_000),
  firmware: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[0-9A-Za-z.+-]+$/, 'letters, digits, . + - only'),
  out: z.string().min(1),
  batch: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .optional(),
  appUrl: z.url().default(config.appUrl),
  brokerUrl: z.string().min(1).default(config.registry.deviceBrokerUrl),
  brokerAdminUrl: z.string().optional(),
  reissueMissing: z.boolean().default(false),
  pdf: z.boolean().default(false),
  quiet: z.boolean().default(false),
});
export type ProvisionOptions = z.infer<typeof optionsSchema>;

export function parseProvisionArgs(argv: string[]): ProvisionOptions | { help: true } {
  const { values } = parseArgs({
    args: argv,
    options: {
      type: { type: 'string' },
      count: { type: 'string' },
      firmware: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string' },
      'app-url': { type: 'string' },
      'broker-url': { type: 'string' },
      'broker-admin-url': { type: 'string' },
      'reissue-missing': { type: 'boolean' },
      pdf: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const parsed = optionsSchema.safeParse({
    type: values.type,
    count: values.count,
    firmware: values.firmware,
    out: values.out,
    batch: values.batch,
    appUrl: values['app-url'],
    brokerUrl: values['broker-url'],
    brokerAdminUrl: values['broker-admin-url'] ?? (config.registry.brokerAdminUrl || undefined),
    reissueMissing: values['reissue-missing'],
    pdf: values.pdf,
    quiet: values.quiet,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`${problems}\n\n${USAGE}`);
  }
  return parsed.data;
}

export function defaultBatchId(type: string, firmware: string): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `${type}-${firmware}-${day}-${Math.random().toString(36).slice(2, 8)}`.replace(
    /[^A-Za-z0-9_.-]/g,
    '-',
  );
}
