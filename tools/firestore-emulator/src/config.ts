import type { z } from 'zod';
import { emulatorOptionsSchema } from './validation.ts';

// The emulator's configuration: programmatic start() options and CLI flags end up here, validated once.

export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type EmulatorConfig = z.output<typeof emulatorOptionsSchema>;

export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  return emulatorOptionsSchema.parse(options);
}
