// When a device's printed claim code is accepted (docs/REGISTRY.md, "Claims"). Shared by the functions, which
// check it on every claim, and the bridge, which opens the window when a device reports a factory reset.
// The fields live in device_secrets/{deviceId} (no client rule reaches them).

/** How long a reported factory reset lets the printed label claim the unit (CLAIM_RESET_WINDOW_SECONDS). */
export const DEFAULT_CLAIM_RESET_WINDOW_SECONDS = 3600;

/** Why the label is accepted now: a new unit, a code support reissued, or a reset by the button. */
export type ClaimOpening = 'factory' | 'reissue' | 'reset';

/** The claim fields of device_secrets/{deviceId}. Absent fields (units made before them) mean 'factory'. */
export interface ClaimWindowFields {
  /** false after a claim, a release or a transfer: the label does nothing until a reset or a reissue. */
  claim_open?: boolean;
  claim_opened_by?: ClaimOpening | null;
  /** ms since the epoch; only a reset's window ends. */
  claim_open_until_ms?: number | null;
  /** reset_id of the last reset report handled (QoS 1 may deliver it twice). */
  last_reset_id?: string | null;
  /** Accounts that gave the device up (release, transfer, displaced by a reset claim); newest last. */
  former_owner_uids?: string[];
}

/** Former owners remembered per device; older ones fall off. */
export const FORMER_OWNERS_KEPT = 20;

/** Rate-limit document of a serial's wrong claim codes: cleared by a reset report or a reissued code. */
export const claimSerialLimitKey = (serial: string) => `claim-serial:${serial}`;

/** Whether the label claims the unit at `nowMs`, given its status and claim fields. */
export function labelClaimOpen(
  status: string,
  fields: ClaimWindowFields,
  nowMs: number,
): { open: boolean; byReset: boolean } {
  if (fields.claim_open === false) return { open: false, byReset: false };
  const until = fields.claim_open_until_ms ?? null;
  const byReset = fields.claim_opened_by === 'reset';
  if (until !== null && until <= nowMs) return { open: false, byReset };
  // A claimed unit is open only inside a reset's window; an unowned one also by factory or reissue.
  if (status !== 'available') return { open: byReset && until !== null, byReset };
  return { open: true, byReset };
}

export function withFormerOwner(list: string[] | undefined, uid: string | null | undefined): string[] {
  const kept = (list ?? []).filter((entry) => entry !== uid);
  if (uid) kept.push(uid);
  return kept.slice(-FORMER_OWNERS_KEPT);
}
