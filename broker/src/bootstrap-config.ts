import { randomBytes } from 'node:crypto';
import { DEFAULT_ACL_ACCESS, type DynsecConfig, hashPassword } from './dynsec-model.ts';
import { roleOfService, SERVICE_USERS, type ServiceUser, serviceRoles } from './roles.ts';

// The first dynamic-security file of a fresh broker: the three service accounts and their roles, no devices
// (provisioning adds those through the control topic). Written before the broker's first start.

export interface Credentials {
  username: string;
  password: string;
}

export type ServiceCredentials = Record<ServiceUser, Credentials>;

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function generateServiceCredentials(
  given: Partial<Record<ServiceUser, string>> = {},
): ServiceCredentials {
  const out = {} as ServiceCredentials;
  for (const key of Object.keys(SERVICE_USERS) as ServiceUser[]) {
    out[key] = { username: SERVICE_USERS[key], password: given[key] || generatePassword() };
  }
  return out;
}

export function initialDynsecConfig(credentials: ServiceCredentials): DynsecConfig {
  return {
    clients: (Object.keys(credentials) as ServiceUser[]).map((key) => ({
      username: credentials[key].username,
      textname: `service: ${key}`,
      ...hashPassword(credentials[key].password),
      roles: [{ rolename: roleOfService(key) }],
    })),
    roles: serviceRoles(),
    groups: [],
    defaultACLAccess: { ...DEFAULT_ACL_ACCESS },
  };
}
