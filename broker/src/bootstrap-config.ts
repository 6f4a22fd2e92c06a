import { randomBytes } from 'node:crypto';
import type { DynsecClient } from './dynsec-model.ts';
import { DEFAULT_ACL_ACCESS, type DynsecConfig, hashPassword } from './dynsec-model.ts';
import {
  bridgeInstanceUsername,
  pinnedClientId,
  roleOfService,
  SERVICE_USERS,
  type ServiceUser,
  serviceRoles,
} from './roles.ts';

// The first dynamic-security file of a fresh broker: the three service accounts and their roles, no devices
// (provisioning adds those through the control topic). Written before the broker's first start.

export interface Credentials {
  username: string;
  password: string;
  /** The MQTT client id the account is pinned to (the broker refuses any other), when it has one. */
  clientId?: string;
}

/** Every service account; the bridge's always carries its pinned client id. */
export type ServiceCredentials = Record<ServiceUser, Credentials> & {
  bridge: Credentials & { clientId: string };
};

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function generateServiceCredentials(
  given: Partial<Record<ServiceUser, string>> = {},
): ServiceCredentials {
  const out: Partial<Record<ServiceUser, Credentials>> = {};
  for (const key of Object.keys(SERVICE_USERS) as ServiceUser[]) {
    const clientId = pinnedClientId(key);
    out[key] = {
      username: SERVICE_USERS[key],
      password: given[key] || generatePassword(),
      ...(clientId ? { clientId } : {}),
    };
  }
  return out as ServiceCredentials;
}

/** Bridge instances 2…n: accounts of their own (same password and role), each pinned to its username. */
export function extraBridgeClients(credentials: ServiceCredentials, instances: number): DynsecClient[] {
  const clients: DynsecClient[] = [];
  for (let n = 2; n <= instances; n++) {
    const username = bridgeInstanceUsername(n);
    clients.push({
      username,
      clientid: username,
      textname: `service: bridge instance ${n}`,
      ...hashPassword(credentials.bridge.password),
      roles: [{ rolename: roleOfService('bridge') }],
    });
  }
  return clients;
}

export function initialDynsecConfig(credentials: ServiceCredentials, bridgeInstances = 1): DynsecConfig {
  return {
    clients: [
      ...(Object.keys(credentials) as ServiceUser[]).map((key) => ({
        username: credentials[key].username,
        ...(credentials[key].clientId ? { clientid: credentials[key].clientId } : {}),
        textname: `service: ${key}`,
        ...hashPassword(credentials[key].password),
        roles: [{ rolename: roleOfService(key) }],
      })),
      ...extraBridgeClients(credentials, bridgeInstances),
    ],
    roles: serviceRoles(),
    groups: [],
    defaultACLAccess: { ...DEFAULT_ACL_ACCESS },
  };
}
