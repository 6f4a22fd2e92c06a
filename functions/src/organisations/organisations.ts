import {
  COLLECTIONS,
  firestorePaths,
  type ListOrganisationDevicesResponse,
  ORGANISATION_ERRORS,
  type OrganisationResponse,
  type OrganisationRole,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';
import { ApiError, forbidden, notFound } from '../http/errors.ts';
import { refs, type UserDeviceDoc } from '../shared/documents.ts';

// Organisations (docs/API.md, "Organisation API keys"): one per Business owner account, with members by role.
// The organisation's devices are its owner's own devices; membership grants no device access (sharing stays
// the only way to reach someone else's device), only, for admins, the management of the organisation's keys
// and members. users/{ownerUid}.organisation_id names the owner's organisation, read and written in the
// creating transaction, so an owner can never end up with two.

export interface OrganisationDoc {
  organisation_id: string;
  name: string;
  owner_uid: string;
  created_at: Timestamp;
}

export interface MemberDoc {
  organisation_id: string;
  uid: string;
  email: string | null;
  role: OrganisationRole;
  owner: boolean;
  added_at: Timestamp;
  added_by: string | null;
}

export interface Membership {
  organisation: OrganisationDoc;
  member: MemberDoc;
}

const view = (organisation: OrganisationDoc, role: OrganisationRole): OrganisationResponse => ({
  organisation_id: organisation.organisation_id,
  name: organisation.name,
  owner_uid: organisation.owner_uid,
  created_at: organisation.created_at.toDate().toISOString(),
  role,
});

const noOrganisation = (orgId: string) => notFound(`No organisation ${orgId}.`);
const safeId = (orgId: string) =>
  orgId !== '' && !orgId.includes('/') && !orgId.startsWith('__') && orgId.length <= 128;

export async function createOrganisation(
  db: Firestore,
  owner: { uid: string; email: string | null },
  name: string,
): Promise<OrganisationResponse> {
  await requirePlanFeature(db, owner.uid, 'organisationKeys', 'organisations; upgrade to Business');
  const ref = db.collection(COLLECTIONS.organisations).doc();
  const now = Timestamp.now();
  const organisation: OrganisationDoc = {
    organisation_id: ref.id,
    name,
    owner_uid: owner.uid,
    created_at: now,
  };
  const member: MemberDoc = {
    organisation_id: ref.id,
    uid: owner.uid,
    email: owner.email,
    role: 'admin',
    owner: true,
    added_at: now,
    added_by: null,
  };
  await db.runTransaction(async (tx) => {
    const user = db.doc(firestorePaths.user(owner.uid));
    const existing = (await tx.get(user)).get('organisation_id');
    if (typeof existing === 'string' && existing !== '')
      throw new ApiError(
        409,
        ORGANISATION_ERRORS.alreadyExists,
        'Your account has an organisation already; an account owns one.',
        { organisation_id: existing },
      );
    tx.create(ref, organisation);
    tx.create(db.doc(firestorePaths.organisationMember(ref.id, owner.uid)), member);
    tx.set(user, { organisation_id: ref.id }, { merge: true });
  });
  return view(organisation, 'admin');
}

/** The caller's membership; 404 (as for an organisation that does not exist) when they are not in it. */
export async function requireMember(db: Firestore, orgId: string, uid: string): Promise<Membership> {
  if (!safeId(orgId)) throw noOrganisation(orgId);
  const [orgSnap, memberSnap] = await db.getAll(
    db.doc(firestorePaths.organisation(orgId)),
    db.doc(firestorePaths.organisationMember(orgId, uid)),
  );
  if (!orgSnap.exists || !memberSnap.exists) throw noOrganisation(orgId);
  return { organisation: orgSnap.data() as OrganisationDoc, member: memberSnap.data() as MemberDoc };
}

/** Keys, members and devices are managed by the organisation's admins only. */
export async function requireAdmin(db: Firestore, orgId: string, uid: string): Promise<Membership> {
  const membership = await requireMember(db, orgId, uid);
  if (membership.member.role !== 'admin')
    throw forbidden("Only the organisation's admins can do this; ask one of them.");
  return membership;
}

export async function organisationView(
  db: Firestore,
  orgId: string,
  uid: string,
): Promise<OrganisationResponse> {
  const { organisation, member } = await requireMember(db, orgId, uid);
  return view(organisation, member.role);
}

export async function listOrganisationsOf(db: Firestore, uid: string): Promise<OrganisationResponse[]> {
  const memberships = (
    await db.collection(COLLECTIONS.organisationMembers).where('uid', '==', uid).get()
  ).docs.map((d) => d.data() as MemberDoc);
  if (memberships.length === 0) return [];
  const orgs = await db.getAll(
    ...memberships.map((m) => db.doc(firestorePaths.organisation(m.organisation_id))),
  );
  return memberships
    .map((m, i) => (orgs[i].exists ? view(orgs[i].data() as OrganisationDoc, m.role) : null))
    .filter((o) => o !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function renameOrganisation(
  db: Firestore,
  orgId: string,
  uid: string,
  name: string,
): Promise<OrganisationResponse> {
  const { organisation, member } = await requireAdmin(db, orgId, uid);
  await db.doc(firestorePaths.organisation(orgId)).update({ name });
  return view({ ...organisation, name }, member.role);
}

/** The organisation's devices (its owner's own, never those shared with the owner), for choosing a key's. */
export async function organisationDevices(
  db: Firestore,
  organisation: OrganisationDoc,
): Promise<ListOrganisationDevicesResponse> {
  const links = (await refs(db).linksFor(organisation.owner_uid).get()).docs
    .map((d) => d.data() as UserDeviceDoc)
    .filter((link) => link.access_level === 'owner');
  const devices = links.length ? await db.getAll(...links.map((l) => refs(db).device(l.device_id))) : [];
  return {
    devices: links
      .map((link, i) => ({
        device_id: link.device_id,
        device_name: link.device_name,
        device_type: String(devices[i].get('device_type') ?? ''),
      }))
      .sort((a, b) => a.device_name.localeCompare(b.device_name) || a.device_id.localeCompare(b.device_id)),
  };
}
