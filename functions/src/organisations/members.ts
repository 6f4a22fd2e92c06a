import {
  COLLECTIONS,
  firestorePaths,
  ORGANISATION_ERRORS,
  ORGANISATION_MAX_MEMBERS,
  type OrganisationMemberResponse,
  type OrganisationRole,
} from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';
import type { Caller } from '../http/auth.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { findRecipient } from '../sharing/recipients.ts';
import { type MemberDoc, type Membership, requireAdmin, requireMember } from './organisations.ts';

// Members of an organisation: added by an admin with the email of an existing, verified account (the same
// rule as sharing, sharing/recipients.ts), given a role, removed by an admin (or leaving by themselves). The
// owner is always an admin and stays. Removing a member never touches the organisation's keys: they belong
// to the organisation, not to whoever created them.

const memberView = (doc: MemberDoc): OrganisationMemberResponse => ({
  uid: doc.uid,
  email: doc.email,
  role: doc.role,
  owner: doc.owner,
  added_at: doc.added_at.toDate().toISOString(),
  added_by: doc.added_by,
});

const membersOf = (db: Firestore, orgId: string) =>
  db.collection(COLLECTIONS.organisationMembers).where('organisation_id', '==', orgId);

export async function listMembers(
  db: Firestore,
  orgId: string,
  uid: string,
): Promise<OrganisationMemberResponse[]> {
  await requireAdmin(db, orgId, uid);
  const snap = await membersOf(db, orgId).get();
  return snap.docs
    .map((d) => d.data() as MemberDoc)
    .sort((a, b) => Number(b.owner) - Number(a.owner) || a.added_at.toMillis() - b.added_at.toMillis())
    .map(memberView);
}

export async function addMember(
  db: Firestore,
  auth: Auth,
  orgId: string,
  caller: Caller,
  email: string,
  role: OrganisationRole,
): Promise<OrganisationMemberResponse> {
  const { organisation } = await requireAdmin(db, orgId, caller.uid);
  await requirePlanFeature(
    db,
    organisation.owner_uid,
    'organisationKeys',
    'organisations; upgrade to Business',
  );
  const person = await findRecipient(db, auth, caller, email, 'You are in this organisation already.');
  const doc: MemberDoc = {
    organisation_id: orgId,
    uid: person.uid,
    email: person.email ?? email,
    role,
    owner: false,
    added_at: Timestamp.now(),
    added_by: caller.uid,
  };
  await db.runTransaction(async (tx) => {
    const [existing, members] = await Promise.all([
      tx.get(db.doc(firestorePaths.organisationMember(orgId, person.uid))),
      tx.get(membersOf(db, orgId).count()),
    ]);
    if (existing.exists)
      throw new ApiError(409, ORGANISATION_ERRORS.alreadyMember, `${email} is in this organisation already.`);
    if (members.data().count >= ORGANISATION_MAX_MEMBERS)
      throw new ApiError(
        429,
        'resource_exhausted',
        `An organisation has at most ${ORGANISATION_MAX_MEMBERS} members; remove someone first.`,
      );
    tx.create(db.doc(firestorePaths.organisationMember(orgId, person.uid)), doc);
  });
  return memberView(doc);
}

async function targetMember(db: Firestore, membership: Membership, uid: string): Promise<MemberDoc> {
  const orgId = membership.organisation.organisation_id;
  if (uid === '' || uid.includes('/') || uid.length > 128) throw notFound(`No member ${uid}.`);
  const snap = await db.doc(firestorePaths.organisationMember(orgId, uid)).get();
  if (!snap.exists) throw notFound(`No member ${uid} in this organisation.`);
  const member = snap.data() as MemberDoc;
  return member;
}

const ownerFixed = () =>
  new ApiError(
    409,
    ORGANISATION_ERRORS.ownerFixed,
    "The organisation's owner is always an admin and cannot be removed.",
  );

export async function setMemberRole(
  db: Firestore,
  orgId: string,
  callerUid: string,
  uid: string,
  role: OrganisationRole,
): Promise<OrganisationMemberResponse> {
  const membership = await requireAdmin(db, orgId, callerUid);
  const member = await targetMember(db, membership, uid);
  if (member.owner && role !== 'admin') throw ownerFixed();
  await db.doc(firestorePaths.organisationMember(orgId, uid)).update({ role });
  return memberView({ ...member, role });
}

/** An admin removes anyone but the owner; a member may also remove themselves (leave). */
export async function removeMember(
  db: Firestore,
  orgId: string,
  callerUid: string,
  uid: string,
): Promise<void> {
  const membership =
    callerUid === uid ? await requireMember(db, orgId, callerUid) : await requireAdmin(db, orgId, callerUid);
  const member = await targetMember(db, membership, uid);
  if (member.owner) throw ownerFixed();
  await db.doc(firestorePaths.organisationMember(orgId, uid)).delete();
}
