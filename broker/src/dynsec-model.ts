import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { topicMatches } from '@esp32cloud/protocol';

// The dynamic-security data model, in Mosquitto's own on-disk JSON format (plugin_opt_config_file), so one
// file works for both brokers: Mosquitto's plugin reads it, the embedded broker reads and enforces it.

export type AclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

export interface RoleRef {
  rolename: string;
  priority?: number;
}

export interface DynsecClient {
  username: string;
  /** When set, the client may connect with exactly this MQTT client id and no other (Mosquitto's pin). */
  clientid?: string;
  textname?: string;
  password?: string;
  salt?: string;
  iterations?: number;
  disabled?: boolean;
  roles?: RoleRef[];
}

export interface DynsecRole {
  rolename: string;
  textname?: string;
  acls: Acl[];
}

export interface DefaultAclAccess {
  publishClientSend: boolean;
  publishClientReceive: boolean;
  subscribe: boolean;
  unsubscribe: boolean;
}

export interface DynsecConfig {
  clients: DynsecClient[];
  roles: DynsecRole[];
  groups?: unknown[];
  defaultACLAccess: DefaultAclAccess;
}

/**
 * Mosquitto's dynamic-security order at CONNECT: a disabled client is refused, then a client pinned to a
 * client id is refused under any other id, then the password decides. Refusals happen before the broker looks
 * at any existing session, so a refused CONNECT never disconnects the client already using that id.
 */
export function mayConnect(client: DynsecClient | undefined, clientId: string, password: string): boolean {
  if (!client || client.disabled) return false;
  if (client.clientid !== undefined && client.clientid !== clientId) return false;
  return verifyPassword(client, password);
}

/** Mosquitto 2's dynsec default: PBKDF2-SHA512, 64-byte key, 12-byte salt, 101 iterations. */
const ITERATIONS = 101;

export function hashPassword(password: string): { password: string; salt: string; iterations: number } {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512');
  return { password: hash.toString('base64'), salt: salt.toString('base64'), iterations: ITERATIONS };
}

export function verifyPassword(client: DynsecClient, password: string): boolean {
  if (!client.password || !client.salt) return false;
  const expected = Buffer.from(client.password, 'base64');
  const actual = pbkdf2Sync(
    password,
    Buffer.from(client.salt, 'base64'),
    client.iterations ?? ITERATIONS,
    64,
    'sha512',
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const DEFAULT_ACL_ACCESS: DefaultAclAccess = {
  publishClientSend: false,
  publishClientReceive: true,
  subscribe: false,
  unsubscribe: true,
};

/** Is every topic that subscription filter `sub` can match also matched by ACL pattern `pattern`? */
export function filterCoveredBy(pattern: string, sub: string): boolean {
  if (sub.startsWith('$') && !pattern.startsWith('$')) return false;
  const p = pattern.split('/');
  const s = sub.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= s.length) return false;
    if (s[i] === '#') return false;
    if (p[i] === '+') continue;
    if (p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

type Access = 'publishClientSend' | 'publishClientReceive' | 'subscribe' | 'unsubscribe';

/**
 * Mosquitto's evaluation order: the client's roles by priority (highest first), each role's ACLs of the
 * relevant types by priority; the first ACL whose topic matches decides, else the default access.
 */
export function checkAcl(config: DynsecConfig, client: DynsecClient, access: Access, topic: string): boolean {
  const roles = [...(client.roles ?? [])].sort((a, b) => (b.priority ?? -1) - (a.priority ?? -1));
  for (const ref of roles) {
    const role = config.roles.find((r) => r.rolename === ref.rolename);
    if (!role) continue;
    const acls = [...role.acls].sort((a, b) => (b.priority ?? -1) - (a.priority ?? -1));
    for (const acl of acls) {
      if (access === 'subscribe' || access === 'unsubscribe') {
        const literal = access === 'subscribe' ? 'subscribeLiteral' : 'unsubscribeLiteral';
        const pattern = access === 'subscribe' ? 'subscribePattern' : 'unsubscribePattern';
        if (acl.acltype === literal && acl.topic === topic) return acl.allow;
        if (acl.acltype === pattern && filterCoveredBy(acl.topic, topic)) return acl.allow;
      } else if (acl.acltype === access && topicMatches(acl.topic, topic)) {
        return acl.allow;
      }
    }
  }
  return config.defaultACLAccess[access];
}
