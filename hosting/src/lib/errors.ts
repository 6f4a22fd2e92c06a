import { type MessageKey, t } from '../i18n/index.ts';
import { ApiError } from './api.ts';

// API failures → one plain sentence in the user's language. Known codes first, then the HTTP status.

const BY_CODE: Record<string, MessageKey> = {
  network: 'error.network',
  unauthenticated: 'error.signInAgain',
  permission_denied: 'error.forbidden',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  // REGISTRY_ERRORS in @esp32cloud/protocol
  invalid_serial: 'setup.error.checkCharacter',
  wrong_claim_code: 'setup.error.claimCode',
  already_claimed: 'setup.error.taken',
  reset_required: 'setup.error.resetRequired',
  former_owner: 'setup.error.formerOwner',
  recipient_unverified: 'share.error.unverified',
  rate_limited: 'error.tooMany',
  // PLAN_LIMIT_ERROR: the upgrade prompt (account/UpgradePrompt.tsx) says which limit and what lifts it.
  plan_limit: 'error.planLimit',
  too_many_requests: 'error.tooMany',
};

const BY_STATUS: Record<number, MessageKey> = {
  0: 'error.network',
  401: 'error.signInAgain',
  403: 'error.forbidden',
  404: 'error.notFound',
  409: 'error.conflict',
  429: 'error.tooMany',
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const key = BY_CODE[error.code] ?? BY_STATUS[error.status];
    if (key) return t(key);
    if (error.status >= 500) return t('error.server');
    // A 400 explains itself (validation), in plain English from the API.
    return error.message || t('error.unknown');
  }
  return t('error.unknown');
}
