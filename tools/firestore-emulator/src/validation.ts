import { z } from 'zod';

// Shapes of everything the emulator accepts from outside that is not a protobuf message: start()/CLI options
// and the JSON bodies of the emulator REST endpoints.

export const emulatorOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  projectId: z.string().min(1).default('demo-esp32-cloud'),
  rulesFile: z.string().min(1).optional(),
  /** firestore.indexes.json: the composite indexes and single-field overrides strict mode checks against. */
  indexesFile: z.string().min(1).optional(),
  /** Strict index mode: a query needing a composite index missing from indexesFile fails (FAILED_PRECONDITION). */
  requireIndexes: z.boolean().default(false),
  /** host:port of firebase-tools' Functions emulator, where Firestore trigger events are delivered. */
  functionsEmulator: z.string().min(1).optional(),
  importDir: z.string().min(1).optional(),
  exportOnExit: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
  /** Idle time after which an abandoned transaction expires. */
  transactionTimeoutMs: z.number().int().positive().default(60_000),
  /** How long overwritten versions stay readable at a past read_time. */
  historyRetentionMs: z.number().int().min(0).default(60_000),
});

/** PUT /emulator/v1/projects/{project}:securityRules, as firebase-tools and rules-unit-testing send it. */
export const securityRulesBodySchema = z.object({
  rules: z.object({
    files: z.array(z.object({ name: z.string().optional(), content: z.string() })).min(1),
  }),
});

/** POST /emulator/v1/projects/{project}:export, as firebase-tools sends it. */
export const exportBodySchema = z.object({
  database: z.string().optional(),
  export_directory: z.string().min(1),
  export_name: z.string().optional(),
});

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}
