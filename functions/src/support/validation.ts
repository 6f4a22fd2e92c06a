import {
  DESTRUCTIVE_ACTIONS,
  SUPPORT_ACTIONS,
  type SupportAction,
  supportActionBodySchemas,
} from '@esp32cloud/protocol';
import type { z } from 'zod';
import { ApiError, notFound } from '../http/errors.ts';
import { parseInput } from '../http/validate.ts';

// Input checks of the support portal beyond the zod schemas: which action, its body, the second confirmation
// of destructive actions, and ids that can name a document.

export type ActionBody<A extends SupportAction> = z.infer<(typeof supportActionBodySchemas)[A]>;

export function parseAction(name: string): SupportAction {
  if (!(SUPPORT_ACTIONS as readonly string[]).includes(name)) {
    throw notFound(`No support action ${name}. Actions: ${SUPPORT_ACTIONS.join(', ')}.`);
  }
  return name as SupportAction;
}

export function parseActionBody<A extends SupportAction>(action: A, body: unknown): ActionBody<A> {
  return parseInput(supportActionBodySchemas[action], body, 'request body') as ActionBody<A>;
}

/**
 * Destructive actions need a second, deliberate confirmation: the operator types the device's serial number
 * (the console asks for it in a second dialog). The API checks it, so a script cannot skip it either.
 */
export function requireConfirmation(
  action: SupportAction,
  confirm: string | undefined,
  serial: string,
): void {
  if (!DESTRUCTIVE_ACTIONS.includes(action)) return;
  if (confirm?.trim().toUpperCase() === serial) return;
  throw new ApiError(
    428,
    'confirmation_required',
    `This action cannot be undone. Send confirm: "${serial}" (the device's serial number) to go ahead.`,
  );
}

/** A Firestore-safe document id, else the same 404 as a missing document. */
export function safeDocId(id: string, what: string): string {
  if (id === '' || id.includes('/') || id.length > 200 || id.startsWith('__'))
    throw notFound(`No ${what} ${id}.`);
  return id;
}
