import type { AccessLevel } from './types.ts';

// access level → what the UI offers (the API and firestore.rules enforce the same, this only hides buttons).

/** Owner and controller may send commands; a viewer only watches. */
export function canControl(access: AccessLevel): boolean {
  return access === 'owner' || access === 'controller';
}

/** Only the owner may rename, reconfigure or remove a device. */
export function canManage(access: AccessLevel): boolean {
  return access === 'owner';
}
