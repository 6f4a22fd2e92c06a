import {
  type Acl,
  type DefaultAclAccess,
  type DynsecClient,
  type DynsecConfig,
  type DynsecRole,
  hashPassword,
  type RoleRef,
} from './dynsec-model.ts';

// The subset of Mosquitto's dynamic-security commands the embedded broker answers, with Mosquitto's error
// strings, so BrokerAdmin cannot tell the two brokers apart.

export interface CommandOutcome {
  response: { command: string; error?: string; data?: unknown; correlationData?: unknown };
  /** Usernames whose live connections must be dropped (deleted or disabled clients). */
  kick: string[];
  changed: boolean;
}

type Cmd = Record<string, unknown> & { command?: unknown };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function roleRefs(value: unknown): RoleRef[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is { rolename: string; priority?: number } => typeof r?.rolename === 'string')
    .map((r) => ({
      rolename: r.rolename,
      ...(typeof r.priority === 'number' ? { priority: r.priority } : {}),
    }));
}

function acls(value: unknown): Acl[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a) => typeof a?.acltype === 'string' && typeof a?.topic === 'string')
    .map((a) => ({
      acltype: a.acltype,
      topic: a.topic,
      allow: a.allow === true,
      ...(typeof a.priority === 'number' ? { priority: a.priority } : {}),
    }));
}

function publicClient(c: DynsecClient) {
  return {
    username: c.username,
    ...(c.clientid === undefined ? {} : { clientid: c.clientid }),
    textname: c.textname,
    disabled: c.disabled === true,
    roles: c.roles ?? [],
  };
}

export function applyDynsecCommand(config: DynsecConfig, cmd: Cmd): CommandOutcome {
  const command = typeof cmd.command === 'string' ? cmd.command : '';
  const base = {
    command,
    ...(cmd.correlationData === undefined ? {} : { correlationData: cmd.correlationData }),
  };
  const ok = (changed: boolean, kick: string[] = [], data?: unknown): CommandOutcome => ({
    response: data === undefined ? base : { ...base, data },
    kick,
    changed,
  });
  const fail = (error: string): CommandOutcome => ({
    response: { ...base, error },
    kick: [],
    changed: false,
  });
  const findClient = (u: string | undefined) => config.clients.find((c) => c.username === u);
  const findRole = (r: string | undefined) => config.roles.find((x) => x.rolename === r);
  const username = str(cmd.username);
  const rolename = str(cmd.rolename);

  switch (command) {
    case 'createClient': {
      if (!username) return fail('Invalid/missing username');
      if (findClient(username)) return fail('Client already exists');
      const roles = roleRefs(cmd.roles);
      if (roles.some((r) => !findRole(r.rolename))) return fail('Role not found');
      const password = str(cmd.password);
      const clientid = str(cmd.clientid);
      config.clients.push({
        username,
        ...(clientid ? { clientid } : {}),
        ...(str(cmd.textname) ? { textname: cmd.textname as string } : {}),
        ...(password ? hashPassword(password) : {}),
        roles,
      });
      return ok(true);
    }
    case 'deleteClient': {
      const index = config.clients.findIndex((c) => c.username === username);
      if (index < 0) return fail('Client not found');
      config.clients.splice(index, 1);
      return ok(true, [username as string]);
    }
    case 'setClientPassword': {
      const client = findClient(username);
      if (!client) return fail('Client not found');
      const password = str(cmd.password);
      if (!password) return fail('Invalid/missing password');
      Object.assign(client, hashPassword(password));
      return ok(true);
    }
    case 'setClientId': {
      const client = findClient(username);
      if (!client) return fail('Client not found');
      const clientid = str(cmd.clientid);
      if (clientid) client.clientid = clientid;
      else delete client.clientid;
      // As Mosquitto: the change is enforced at once by disconnecting the client's live connections.
      return ok(true, [client.username]);
    }
    case 'enableClient':
    case 'disableClient': {
      const client = findClient(username);
      if (!client) return fail('Client not found');
      client.disabled = command === 'disableClient';
      return ok(true, client.disabled ? [client.username] : []);
    }
    case 'addClientRole':
    case 'removeClientRole': {
      const client = findClient(username);
      if (!client) return fail('Client not found');
      if (!findRole(rolename)) return fail('Role not found');
      const roles = (client.roles ?? []).filter((r) => r.rolename !== rolename);
      if (command === 'addClientRole') {
        roles.push({
          rolename: rolename as string,
          ...(typeof cmd.priority === 'number' ? { priority: cmd.priority } : {}),
        });
      }
      client.roles = roles;
      return ok(true);
    }
    case 'getClient': {
      const client = findClient(username);
      return client ? ok(false, [], { client: publicClient(client) }) : fail('Client not found');
    }
    case 'listClients':
      return ok(false, [], {
        totalCount: config.clients.length,
        clients: config.clients.map((c) => c.username),
      });
    case 'createRole': {
      if (!rolename) return fail('Invalid/missing rolename');
      if (findRole(rolename)) return fail('Role already exists');
      const role: DynsecRole = { rolename, acls: acls(cmd.acls) };
      if (str(cmd.textname)) role.textname = cmd.textname as string;
      config.roles.push(role);
      return ok(true);
    }
    case 'deleteRole': {
      const index = config.roles.findIndex((r) => r.rolename === rolename);
      if (index < 0) return fail('Role not found');
      config.roles.splice(index, 1);
      for (const client of config.clients)
        client.roles = (client.roles ?? []).filter((r) => r.rolename !== rolename);
      return ok(true);
    }
    case 'getRole': {
      const role = findRole(rolename);
      return role ? ok(false, [], { role }) : fail('Role not found');
    }
    case 'listRoles':
      return ok(false, [], { totalCount: config.roles.length, roles: config.roles.map((r) => r.rolename) });
    case 'addRoleACL':
    case 'removeRoleACL': {
      const role = findRole(rolename);
      if (!role) return fail('Role not found');
      const [acl] = acls([cmd]);
      if (!acl) return fail('Invalid/missing acltype or topic');
      role.acls = role.acls.filter((a) => !(a.acltype === acl.acltype && a.topic === acl.topic));
      if (command === 'addRoleACL') role.acls.push(acl);
      return ok(true);
    }
    case 'setDefaultACLAccess': {
      for (const entry of Array.isArray(cmd.acls) ? cmd.acls : []) {
        const key = entry?.acltype as keyof DefaultAclAccess;
        if (key in config.defaultACLAccess && typeof entry.allow === 'boolean')
          config.defaultACLAccess[key] = entry.allow;
      }
      return ok(true);
    }
    case 'getDefaultACLAccess':
      return ok(false, [], {
        acls: Object.entries(config.defaultACLAccess).map(([acltype, allow]) => ({ acltype, allow })),
      });
    default:
      return fail('Unknown command');
  }
}
