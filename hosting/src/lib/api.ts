import { PLAN_LIMIT_ERROR, type PlanLimitDetails } from '@esp32cloud/protocol';
import { readRuntimeConfig } from '../config.ts';
import { idToken } from '../session.ts';
import { planLimitHit } from './plan-limit.ts';

/** A failed API call: the API's `{error:{code,message}}` shape, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The API's `details` (e.g. a plan_limit's limit, plan and upgradeTo). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Calls the HTTP API at its relative base (/api), with the user's ID token when signed in. A plan_limit answer
 * opens the upgrade prompt unless `quietPlanLimit` (the caller handles it itself).
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { quietPlanLimit?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = await idToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(readRuntimeConfig().apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'network', (error as Error).message);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below by status
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)
      ?.error;
    if (error?.code === PLAN_LIMIT_ERROR && !options.quietPlanLimit)
      planLimitHit.value = error.details as PlanLimitDetails;
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? response.statusText,
      error?.details,
    );
  }
  return parsed as T;
}
