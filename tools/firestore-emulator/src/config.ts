import { z } from 'zod';

// The emulator's configuration: programmatic start() options and CLI flags end up here, validated once.

export const emulatorOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  projectId: z.string().min(1).default('demo-esp32-cloud'),
  rulesFile: z.string().min(1).optional(),
  importDir: z.string().min(1).optional(),
  exportOnExit: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
  /** Idle time after which an abandoned transaction expires. */
  transactionTimeoutMs: z.number().int().positive().default(60_000),
  /** How long overwritten versions stay readable at a past read_time. */
  historyRetentionMs: z.number().int().min(0).default(60_000),
});

export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type EmulatorConfig = z.output<typeof emulatorOptionsSchema>;

export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  return emulatorOptionsSchema.parse(options);
}
