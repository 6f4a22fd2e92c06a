import { PLAN_LIMIT_ERROR } from '@esp32cloud/protocol';
import { ApiError } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { it } from './i18n.ts';

/** A failure as one sentence; a plan refusal says which plans include the feature. */
export interface IntegrationFailure {
  text: string;
  planLimit: boolean;
}

export const integrationError = (
  error: unknown,
  planMessage: 'plan.needed' | 'org.planNeeded' = 'plan.needed',
): IntegrationFailure =>
  error instanceof ApiError && error.code === PLAN_LIMIT_ERROR
    ? { text: it(planMessage), planLimit: true }
    : { text: errorMessage(error), planLimit: false };
