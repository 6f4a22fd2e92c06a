import { z } from 'zod';

// Organisations (docs/API.md, "Organisation API keys"): a Business owner's account with members. The
// organisation's devices are the owner's own devices; membership gives no device access (sharing does
// that), only the right to manage the organisation's API keys (admins) and to see the organisation.

export const ORGANISATION_ROLES = ['admin', 'member'] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

/** People in one organisation, the owner included. */
export const ORGANISATION_MAX_MEMBERS = 100;

/** Error codes of the organisation routes. */
export const ORGANISATION_ERRORS = {
  /** 409: the owner already has an organisation (one per owner account). */
  alreadyExists: 'organisation_exists',
  /** 409: the account is a member already. */
  alreadyMember: 'already_member',
  /** 409: the owner's membership cannot be removed or demoted. */
  ownerFixed: 'owner_fixed',
} as const;

/** Any Unicode, as device names: trimmed, 1–80 characters. */
const organisationName = z.string().trim().min(1, 'name: must not be empty').max(80);

export const createOrganisationBodySchema = z.strictObject({ name: organisationName });
export type CreateOrganisationBody = z.infer<typeof createOrganisationBodySchema>;

export const renameOrganisationBodySchema = z.strictObject({ name: organisationName });

export const addMemberBodySchema = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('email: not a valid email address')),
  role: z.enum(ORGANISATION_ROLES),
});
export type AddMemberBody = z.infer<typeof addMemberBodySchema>;

export const memberRoleBodySchema = z.strictObject({ role: z.enum(ORGANISATION_ROLES) });

export interface OrganisationResponse {
  organisation_id: string;
  name: string;
  owner_uid: string;
  created_at: string;
  /** The caller's role in it. */
  role: OrganisationRole;
}

export interface ListOrganisationsResponse {
  organisations: OrganisationResponse[];
}

export interface OrganisationMemberResponse {
  uid: string;
  email: string | null;
  role: OrganisationRole;
  /** The owner account: always an admin, cannot be removed. */
  owner: boolean;
  added_at: string;
  added_by: string | null;
}

export interface ListMembersResponse {
  members: OrganisationMemberResponse[];
}

/** A device of the organisation (the owner's own), as admins choose it for a key. */
export interface OrganisationDevice {
  device_id: string;
  device_name: string;
  device_type: string;
}

export interface ListOrganisationDevicesResponse {
  devices: OrganisationDevice[];
}
