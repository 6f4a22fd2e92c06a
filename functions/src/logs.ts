import { logger } from 'firebase-functions';

// Every log line the functions write. Structured (one JSON entry each in Cloud Logging); never a secret,
// token, claim code or password in any field.

export const logs = {
  historyRetention(result: {
    devices: number;
    hoursDeleted: number;
    daysDeleted: number;
    usageDeleted: number;
  }): void {
    logger.info('history retention done', result);
  },
  historyRetentionFailed(error: unknown): void {
    logger.error('history retention failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  },
  requestFailed(method: string, path: string, status: number, code: string, message: string): void {
    logger.warn('api request failed', { method, path, status, code, message });
  },
  unexpectedError(method: string, path: string, error: unknown): void {
    logger.error('api unexpected error', {
      method,
      path,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    });
  },
  tokenRejected(reason: string): void {
    logger.info('id token rejected', { reason });
  },
  commandNotSent(deviceId: string, commandId: string, reason: string): void {
    logger.warn('device command not sent', { deviceId, commandId, reason });
  },
  roomOff(uid: string, devices: number, sent: number): void {
    logger.info('room switched off', { uid, devices, sent });
  },
  deviceClaimed(deviceId: string, uid: string, repeated: boolean): void {
    logger.info('device claimed', { deviceId, uid, repeated });
  },
  deviceReleased(deviceId: string, uid: string, byOperator: boolean): void {
    logger.info('device released', { deviceId, uid, byOperator });
  },
  deviceLeft(deviceId: string, uid: string): void {
    logger.info('user left shared device', { deviceId, uid });
  },
  deviceCreated(deviceId: string, operatorUid: string, brokerRegistered: boolean): void {
    logger.info('device created', { deviceId, operatorUid, brokerRegistered });
  },
  deviceDecommissioned(deviceId: string, operatorUid: string): void {
    logger.info('device decommissioned', { deviceId, operatorUid });
  },
  claimCodeReissued(deviceId: string, operatorUid: string): void {
    logger.info('claim code reissued', { deviceId, operatorUid });
  },
  backendUnreachable(backend: string, message: string): void {
    logger.warn('backend unreachable', { backend, message });
  },
  deviceShared(deviceId: string, ownerUid: string, uid: string, accessLevel: string, created: boolean): void {
    logger.info('device shared', { deviceId, ownerUid, uid, accessLevel, created });
  },
  deviceUnshared(deviceId: string, ownerUid: string, uid: string): void {
    logger.info('device share removed', { deviceId, ownerUid, uid });
  },
  alertRuleChanged(deviceId: string, ruleId: string, uid: string, change: string): void {
    logger.info('alert rule changed', { deviceId, ruleId, uid, change });
  },
  /** Never the URL (it may carry a token) nor the secret. */
  webhookChanged(uid: string, webhookId: string, change: string): void {
    logger.info('webhook changed', { uid, webhookId, change });
  },
  transferOffered(deviceId: string, ownerUid: string, toUid: string): void {
    logger.info('device transfer offered', { deviceId, ownerUid, toUid });
  },
  transferCancelled(deviceId: string, ownerUid: string): void {
    logger.info('device transfer cancelled', { deviceId, ownerUid });
  },
  transferAccepted(deviceId: string, uid: string): void {
    logger.info('device transfer accepted', { deviceId, uid });
  },
  transferDeclined(deviceId: string, uid: string): void {
    logger.info('device transfer declined', { deviceId, uid });
  },
  supportAction(
    action: string,
    deviceId: string,
    operatorUid: string,
    auditId: string,
    outcome: string,
  ): void {
    logger.info('support action', { action, deviceId, operatorUid, auditId, outcome });
  },
  ticketOpened(ticketId: string, uid: string, deviceId: string | null): void {
    logger.info('support ticket opened', { ticketId, uid, deviceId });
  },
  ticketMessage(ticketId: string, uid: string, role: string): void {
    logger.info('support ticket message', { ticketId, uid, role });
  },
  ticketUpdated(ticketId: string, operatorUid: string, status: string | null): void {
    logger.info('support ticket updated', { ticketId, operatorUid, status });
  },
  billingSession(uid: string, kind: 'checkout' | 'portal', plan: string | null): void {
    logger.info('billing session created', { uid, kind, plan });
  },
  billingEvent(eventId: string, type: string, outcome: string): void {
    logger.info('billing event received', { eventId, type, outcome });
  },
  planEdited(planId: string, operatorUid: string): void {
    logger.info('plan edited', { planId, operatorUid });
  },
  customerPlanSet(uid: string, plan: string, operatorUid: string): void {
    logger.info('customer plan set by operator', { uid, plan, operatorUid });
  },
  apiKeyRejected(reason: string): void {
    logger.info('api key rejected', { reason });
  },
  apiKeyChanged(uid: string, keyId: string, change: 'created' | 'revoked', organisationId?: string): void {
    logger.info('api key changed', { uid, keyId, change, ...(organisationId ? { organisationId } : {}) });
  },
  organisationChanged(organisationId: string, byUid: string, change: string): void {
    logger.info('organisation changed', { organisationId, byUid, change });
  },
  apiKeyRateLimited(uid: string, keyId: string, limit: number): void {
    logger.info('api key rate limited', { uid, keyId, limit });
  },
  usageFoldFailed(uid: string, error: unknown): void {
    logger.warn('api usage fold failed', {
      uid,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  eventWebhooksQueued(event: string, deviceId: string, endpoints: number): void {
    logger.info('event webhooks queued', { event, deviceId, endpoints });
  },
  /** A downgrade holds event webhooks: the customer's subscriptions stay, this event goes nowhere. */
  eventWebhooksHeldByPlan(uid: string, event: string, plan: string, endpoints: number): void {
    logger.info('event webhooks held by plan', { uid, event, plan, endpoints });
  },
  eventWebhooksFailed(event: string, deviceId: string, error: unknown): void {
    logger.error('event webhooks not queued', {
      event,
      deviceId,
      error: error instanceof Error ? error.message : String(error),
    });
  },
};
