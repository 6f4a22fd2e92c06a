import type { z } from 'zod';
import { badRequest } from './errors.ts';

// Request validation is schema-based: each route declares zod schemas and gets typed, parsed input or a 400
// that lists every problem by field.

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || what,
    message: issue.message,
  }));
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw badRequest(`Invalid ${what}: ${summary}`, problems);
}
