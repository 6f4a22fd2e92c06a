import {
  addMemberBodySchema,
  createApiKeyBodySchema,
  createOrganisationBodySchema,
  type ListMembersResponse,
  type ListOrganisationsResponse,
  memberRoleBodySchema,
  renameOrganisationBodySchema,
} from '@esp32cloud/protocol';
import type { KeyHolder } from '../apikeys/keys.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../apikeys/keys.ts';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';
import { auth, db } from '../firebase.ts';
import { forbidden } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { addMember, listMembers, removeMember, setMemberRole } from '../organisations/members.ts';
import {
  createOrganisation,
  listOrganisationsOf,
  type OrganisationDoc,
  organisationDevices,
  organisationView,
  renameOrganisation,
  requireAdmin,
} from '../organisations/organisations.ts';

// /api/organisations/**: a Business owner's organisation, its members and its API keys (docs/API.md,
// "Organisation API keys"). Managed with a signed-in session only, like personal keys.

const noStore = { 'cache-control': 'no-store' };

const holderOf = (
  organisation: OrganisationDoc,
  createdBy?: { uid: string; email: string | null },
): KeyHolder => ({
  kind: 'organisation',
  organisationId: organisation.organisation_id,
  ownerUid: organisation.owner_uid,
  ...(createdBy ? { createdBy } : {}),
});

export function registerOrganisationRoutes(router: Router): void {
  router.add('GET', '/users/:uid/organisations', {
    auth: 'required',
    idTokenOnly: true,
    summary: 'The organisations the caller belongs to, with their role in each',
    handler: async ({ params, caller }) => {
      if (caller!.uid !== params.uid) throw forbidden('You can only list your own organisations.');
      const body: ListOrganisationsResponse = { organisations: await listOrganisationsOf(db, params.uid) };
      return { body, headers: noStore };
    },
  });

  router.add('POST', '/organisations', {
    auth: 'required',
    idTokenOnly: true,
    body: createOrganisationBodySchema,
    summary: "Create the caller's organisation (Business plan; one per owner account)",
    handler: async ({ caller, body }) => {
      const created = await createOrganisation(db, { uid: caller!.uid, email: caller!.email }, body.name);
      logs.organisationChanged(created.organisation_id, caller!.uid, 'created');
      return { status: 201, body: created };
    },
  });

  router.add('GET', '/organisations/:orgId', {
    auth: 'required',
    idTokenOnly: true,
    summary: 'An organisation the caller belongs to',
    handler: async ({ params, caller }) => ({ body: await organisationView(db, params.orgId, caller!.uid) }),
  });

  router.add('PATCH', '/organisations/:orgId', {
    auth: 'required',
    idTokenOnly: true,
    body: renameOrganisationBodySchema,
    summary: 'Rename an organisation (admins)',
    handler: async ({ params, caller, body }) => {
      const renamed = await renameOrganisation(db, params.orgId, caller!.uid, body.name);
      logs.organisationChanged(params.orgId, caller!.uid, 'renamed');
      return { body: renamed };
    },
  });

  router.add('GET', '/organisations/:orgId/members', {
    auth: 'required',
    idTokenOnly: true,
    summary: "An organisation's members and their roles (admins)",
    handler: async ({ params, caller }) => {
      const body: ListMembersResponse = { members: await listMembers(db, params.orgId, caller!.uid) };
      return { body, headers: noStore };
    },
  });

  router.add('POST', '/organisations/:orgId/members', {
    auth: 'required',
    idTokenOnly: true,
    checkRevoked: true,
    body: addMemberBodySchema,
    summary: 'Add an existing, verified account to the organisation by its email (admins)',
    handler: async ({ params, caller, body }) => {
      const added = await addMember(db, auth, params.orgId, caller!, body.email, body.role);
      logs.organisationChanged(params.orgId, caller!.uid, `member added: ${added.uid} (${added.role})`);
      return { status: 201, body: added };
    },
  });

  router.add('PATCH', '/organisations/:orgId/members/:uid', {
    auth: 'required',
    idTokenOnly: true,
    checkRevoked: true,
    body: memberRoleBodySchema,
    summary: "Change a member's role (admins; the owner stays admin)",
    handler: async ({ params, caller, body }) => {
      const changed = await setMemberRole(db, params.orgId, caller!.uid, params.uid, body.role);
      logs.organisationChanged(params.orgId, caller!.uid, `member role: ${params.uid} (${body.role})`);
      return { body: changed };
    },
  });

  router.add('DELETE', '/organisations/:orgId/members/:uid', {
    auth: 'required',
    idTokenOnly: true,
    checkRevoked: true,
    summary: 'Remove a member (admins), or leave (the member themselves); the owner stays',
    handler: async ({ params, caller }) => {
      await removeMember(db, params.orgId, caller!.uid, params.uid);
      logs.organisationChanged(params.orgId, caller!.uid, `member removed: ${params.uid}`);
      return { status: 204 };
    },
  });

  router.add('GET', '/organisations/:orgId/devices', {
    auth: 'required',
    idTokenOnly: true,
    summary: "The organisation's devices (its owner's own), for choosing an organisation key's (admins)",
    handler: async ({ params, caller }) => {
      const { organisation } = await requireAdmin(db, params.orgId, caller!.uid);
      return { body: await organisationDevices(db, organisation), headers: noStore };
    },
  });

  router.add('GET', '/organisations/:orgId/api-keys', {
    auth: 'required',
    idTokenOnly: true,
    summary: "The organisation's API keys with who created each (admins; never the keys themselves)",
    handler: async ({ params, caller }) => {
      const { organisation } = await requireAdmin(db, params.orgId, caller!.uid);
      return { body: { keys: await listApiKeys(db, holderOf(organisation)) }, headers: noStore };
    },
  });

  router.add('POST', '/organisations/:orgId/api-keys', {
    auth: 'required',
    idTokenOnly: true,
    checkRevoked: true,
    body: createApiKeyBodySchema,
    summary: "Create an organisation API key over the organisation's devices; shown once (admins)",
    handler: async ({ params, caller, body }) => {
      const { organisation } = await requireAdmin(db, params.orgId, caller!.uid);
      const owner = organisation.owner_uid;
      await requirePlanFeature(db, owner, 'apiAccess', 'API access; upgrade to create API keys');
      await requirePlanFeature(db, owner, 'organisationKeys', 'organisations; upgrade to Business');
      const createdBy = { uid: caller!.uid, email: caller!.email };
      const created = await createApiKey(db, holderOf(organisation, createdBy), body);
      logs.apiKeyChanged(owner, created.key_id, 'created', params.orgId);
      return { status: 201, body: created, headers: noStore };
    },
  });

  router.add('DELETE', '/organisations/:orgId/api-keys/:keyId', {
    auth: 'required',
    idTokenOnly: true,
    summary: 'Revoke an organisation API key at once (admins; it stays listed as revoked)',
    handler: async ({ params, caller }) => {
      const { organisation } = await requireAdmin(db, params.orgId, caller!.uid);
      const revoked = await revokeApiKey(db, holderOf(organisation), params.keyId);
      logs.apiKeyChanged(organisation.owner_uid, revoked.key_id, 'revoked', params.orgId);
      return { body: revoked, headers: noStore };
    },
  });
}
