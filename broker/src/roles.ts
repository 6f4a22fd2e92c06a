import { BRIDGE_FILTERS, deviceAcl, sharedSubscription } from '@esp32cloud/protocol';
import type { Acl, DynsecRole } from './dynsec-model.ts';

// Who may do what on the broker. Service accounts get one role each; every device gets its own role that
// names only its own topics, so a leaked device credential can neither read nor drive another device.

export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_CONTROL_TOPIC}/response`;

export const SERVICE_USERS = {
  admin: 'admin',
  bridge: 'bridge',
  functionsRelay: 'functions-relay',
} as const;
export type ServiceUser = keyof typeof SERVICE_USERS;

/**
 * Client ids pinned to service accounts. Mosquitto's dynamic security pins one exact id per account, and a
 * second connection with the same id takes the first one's place, so every long-lived instance of a service
 * with a session worth protecting gets an account of its own: bridge instance 1 is `bridge`, instance n is
 * `bridge-n`, each pinned to its own username. The admin and functions-relay accounts are not pinned (see
 * docs/SECURITY.md): their connections are short-lived and run many at once (one per Cloud Functions
 * instance), and what their credentials already allow exceeds what a stolen client id would.
 */
export function bridgeInstanceUsername(instance: number): string {
  if (!Number.isInteger(instance) || instance < 1)
    throw new Error(`bridge instance ${instance} is not 1, 2, …`);
  return instance === 1 ? SERVICE_USERS.bridge : `${SERVICE_USERS.bridge}-${instance}`;
}

export function pinnedClientId(user: ServiceUser): string | undefined {
  return user === 'bridge' ? SERVICE_USERS.bridge : undefined;
}

/** The shared-subscription group every bridge instance joins. */
export const BRIDGE_SHARE_GROUP = 'bridge';

const allow = (acltype: Acl['acltype'], topic: string): Acl => ({ acltype, topic, allow: true });

export function adminRole(): DynsecRole {
  const control = '$CONTROL/dynamic-security/#';
  return {
    rolename: 'admin',
    textname: 'Dynamic-security administration (provisioning, revocation)',
    acls: [
      allow('publishClientSend', control),
      allow('publishClientReceive', control),
      allow('subscribePattern', control),
      allow('unsubscribePattern', '#'),
      // Support tooling may watch device traffic, never drive it.
      allow('subscribePattern', 'devices/#'),
      allow('subscribePattern', 'admin/#'),
      allow('subscribePattern', 'users/#'),
    ],
  };
}

export function bridgeRole(group = BRIDGE_SHARE_GROUP): DynsecRole {
  const acls: Acl[] = [];
  for (const filter of Object.values(BRIDGE_FILTERS)) {
    acls.push(
      allow('subscribePattern', filter),
      allow('subscribePattern', sharedSubscription(group, filter)),
    );
  }
  acls.push(allow('publishClientSend', 'users/+/devices/+/status'), allow('unsubscribePattern', '#'));
  return { rolename: 'bridge', textname: 'Ingest bridge', acls };
}

export function functionsRelayRole(): DynsecRole {
  return {
    rolename: 'functions-relay',
    textname: 'Cloud Functions command relay',
    acls: [allow('publishClientSend', 'devices/+/control')],
  };
}

export const DEVICE_ROLE_PREFIX = 'device:';

export function deviceRoleName(serial: string): string {
  return `${DEVICE_ROLE_PREFIX}${serial}`;
}

export function deviceRole(serial: string): DynsecRole {
  const topics = deviceAcl(serial);
  return {
    rolename: deviceRoleName(serial),
    textname: `Device ${serial}`,
    acls: [
      ...topics.publish.map((t) => allow('publishClientSend', t)),
      ...topics.subscribe.map((t) => allow('subscribeLiteral', t)),
      ...topics.subscribe.map((t) => allow('unsubscribeLiteral', t)),
    ],
  };
}

export function serviceRoles(): DynsecRole[] {
  return [adminRole(), bridgeRole(), functionsRelayRole()];
}

export function roleOfService(user: ServiceUser): string {
  return { admin: 'admin', bridge: 'bridge', functionsRelay: 'functions-relay' }[user];
}
