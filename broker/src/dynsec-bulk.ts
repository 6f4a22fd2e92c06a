import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DeviceCredentials } from '@esp32cloud/protocol';
import { type DynsecClient, type DynsecConfig, type DynsecRole, hashPassword } from './dynsec-model.ts';
import { deviceRole, deviceRoleName } from './roles.ts';

// Device accounts written straight into the dynamic-security file, many at once, for fleets too large for the
// control topic: Mosquitto's plugin rewrites its whole JSON file after every command, so adding accounts one by
// one costs time quadratic in the fleet (3,816 accounts in 6 minutes, docs/SCALING.md). Here the file is read
// once, every account added in memory and the file written once (atomically), in the format the plugin itself
// writes (PBKDF2-SHA512 hashes, the client-id pin, the device's own role), with BrokerAdmin.addDevices's
// semantics: a new device gets its role and client, an existing one its new password, pin and role back,
// enabled. The broker must be stopped while this runs and started afterwards: a running broker keeps its own
// copy in memory and would overwrite the file at its next change. BrokerAdmin (admin.ts) stays the path for
// provisioning against a live broker.

/** Adds (or re-keys) device accounts in `dynsecFile` in one write; returns how many were new. */
export function writeDeviceAccounts(dynsecFile: string, devices: DeviceCredentials[]): { added: number } {
  const config = JSON.parse(readFileSync(dynsecFile, 'utf8')) as DynsecConfig;
  const clients = new Map<string, DynsecClient>(config.clients.map((c) => [c.username, c]));
  const roles = new Map<string, DynsecRole>(config.roles.map((r) => [r.rolename, r]));
  let added = 0;
  for (const device of devices) {
    const role = deviceRole(device.serial);
    const existingRole = roles.get(role.rolename);
    if (existingRole) existingRole.acls = role.acls;
    else {
      roles.set(role.rolename, role);
      config.roles.push(role);
    }
    const username = device.username ?? device.serial;
    const account: DynsecClient = {
      username,
      // As BrokerAdmin: the device may connect with its own serial as client id and no other.
      clientid: device.serial,
      textname: `device ${device.serial}`,
      ...hashPassword(device.password),
      roles: [{ rolename: deviceRoleName(device.serial) }],
    };
    const existing = clients.get(username);
    if (existing) {
      const others = (existing.roles ?? []).filter((r) => r.rolename !== deviceRoleName(device.serial));
      Object.assign(existing, account, { roles: [...others, ...(account.roles ?? [])], disabled: false });
    } else {
      clients.set(username, account);
      config.clients.push(account);
      added++;
    }
  }
  const tmp = `${dynsecFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2), { mode: 0o600 });
  renameSync(tmp, dynsecFile);
  return { added };
}
