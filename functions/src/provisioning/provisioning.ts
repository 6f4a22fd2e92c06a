// One file on purpose (~400 lines): the batch, single-device and repair paths share the candidate, collision
// and broker-registration steps below.
import {
  type DeviceType,
  deviceUsername,
  type FlashConfig,
  flashConfigSchema,
  randomClaimCode,
  randomDeviceId,
  randomSerial,
  setupUrl,
  validateSerial,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { writeClaimCode } from '../claims/claim-codes.ts';
import {
  type BatchDoc,
  type DeviceDoc,
  type DeviceSecretDoc,
  defaultConfig,
  initialState,
  refs,
  type SerialDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { hashClaimCode, hashRandomSecret, randomBrokerPassword, verifySecret } from '../shared/secrets.ts';
import type { BrokerAdmin } from './broker.ts';

// Manufacturing: creates devices (status available) with their config, secrets and serial reservation, in
// transactions that read every serial and device id they are about to create, so uniqueness is enforced by
// Firestore rather than assumed from randomness. Shared by the provision CLI and POST /api/devices.
//
// A batch id makes a run idempotent: batches/{id} lists the serials made so far, and each chunk's transaction
// reads it and creates only what is still missing, so re-running (or running twice at once) never makes more
// than `count` devices.

export interface ProvisionSettings {
  appUrl: string;
  deviceBrokerUrl: string;
  pepper: string;
  broker?: BrokerAdmin | null;
}

export interface ProvisionedDevice {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  firmware_version: string;
  /** Plain claim code: returned once, never stored. */
  claim_code: string;
  setup_url: string;
  flash_config: FlashConfig;
  broker_registered: boolean;
}

export interface BatchRequest {
  batchId: string;
  deviceType: DeviceType;
  firmwareVersion: string;
  count: number;
  /** Devices per transaction: 4 writes each, plus the batch document, within Firestore's 500. */
  chunkSize?: number;
  onChunk?: (devices: ProvisionedDevice[], doneSoFar: number) => Promise<void> | void;
}

export interface BatchResult {
  batchId: string;
  created: ProvisionedDevice[];
  /** Serials of the whole batch, including those made by earlier runs. */
  serials: string[];
  alreadyComplete: boolean;
}

const MAX_CHUNK = 100;
const MAX_COLLISION_ROUNDS = 10;

interface Candidate {
  device: ProvisionedDevice;
  claimCodeHash: string;
  brokerPasswordHash: string;
}

async function makeCandidate(
  settings: ProvisionSettings,
  deviceType: DeviceType,
  firmwareVersion: string,
  serial = randomSerial(),
): Promise<Candidate> {
  const deviceId = randomDeviceId();
  const claimCode = randomClaimCode();
  const password = randomBrokerPassword();
  const claimCodeHash = await hashClaimCode(claimCode, settings.pepper);
  const brokerPasswordHash = hashRandomSecret(password, settings.pepper);
  return {
    claimCodeHash,
    brokerPasswordHash,
    device: {
      device_id: deviceId,
      serial_number: serial,
      device_type: deviceType,
      firmware_version: firmwareVersion,
      claim_code: claimCode,
      setup_url: setupUrl(settings.appUrl, { serial, claimCode, type: deviceType }),
      flash_config: flashConfigSchema.parse({
        serial_number: serial,
        device_id: deviceId,
        device_type: deviceType,
        firmware_version: firmwareVersion,
        broker_url: settings.deviceBrokerUrl,
        username: deviceUsername(serial),
        password,
      }),
      broker_registered: false,
    },
  };
}

function writeDeviceDocs(
  tx: FirebaseFirestore.Transaction,
  db: Firestore,
  settings: ProvisionSettings,
  candidate: Candidate,
  batchId: string | null,
  now: Timestamp,
): void {
  const r = refs(db);
  const d = candidate.device;
  const device: DeviceDoc = {
    device_id: d.device_id,
    serial_number: d.serial_number,
    device_type: d.device_type,
    firmware_version: d.firmware_version,
    manufacturing_date: now,
    status: 'available',
    created_at: now,
    batch_id: batchId,
    owner_uid: null,
    state: initialState(d.device_type),
    desired: null,
  };
  const secret: DeviceSecretDoc = {
    device_id: d.device_id,
    serial_number: d.serial_number,
    claim_code_hash: candidate.claimCodeHash,
    claim_code_generation: 1,
    broker_username: d.flash_config.username,
    broker_password_hash: candidate.brokerPasswordHash,
    broker_registered: false,
    updated_at: now,
  };
  const serial: SerialDoc = { device_id: d.device_id, batch_id: batchId, created_at: now };
  tx.create(r.device(d.device_id), device);
  tx.create(r.config(d.device_id), defaultConfig(d.device_id, settings.deviceBrokerUrl, now));
  tx.create(r.secret(d.device_id), secret);
  tx.create(r.serial(d.serial_number), serial);
}

/** Which candidates collide with an existing serial or device id (or with each other). */
async function collisions(
  tx: FirebaseFirestore.Transaction,
  db: Firestore,
  candidates: Candidate[],
): Promise<Set<number>> {
  const r = refs(db);
  const clashing = new Set<number>();
  if (candidates.length === 0) return clashing;
  const snapshots = await tx.getAll(
    ...candidates.map((c) => r.serial(c.device.serial_number)),
    ...candidates.map((c) => r.device(c.device.device_id)),
  );
  const seenSerials = new Set<string>();
  const seenIds = new Set<string>();
  candidates.forEach((c, i) => {
    const dupe = seenSerials.has(c.device.serial_number) || seenIds.has(c.device.device_id);
    seenSerials.add(c.device.serial_number);
    seenIds.add(c.device.device_id);
    if (dupe || snapshots[i].exists || snapshots[candidates.length + i].exists) clashing.add(i);
  });
  return clashing;
}

async function registerWithBroker(
  db: Firestore,
  broker: BrokerAdmin | null | undefined,
  devices: ProvisionedDevice[],
): Promise<void> {
  if (!broker) return;
  const r = refs(db);
  const credentials = devices.map((device) => ({
    serial: device.serial_number,
    username: device.flash_config.username,
    password: device.flash_config.password,
  }));
  if (broker.addDevices) await broker.addDevices(credentials);
  else for (const c of credentials) await broker.addDevice(c);
  for (const device of devices) device.broker_registered = true;
  const batch = db.batch();
  for (const device of devices) batch.update(r.secret(device.device_id), { broker_registered: true });
  await batch.commit();
}

/** Creates the devices of a batch that do not exist yet; see the module comment. */
export async function provisionBatch(
  db: Firestore,
  settings: ProvisionSettings,
  request: BatchRequest,
): Promise<BatchResult> {
  const r = refs(db);
  const chunkSize = Math.max(1, Math.min(request.chunkSize ?? MAX_CHUNK, MAX_CHUNK));
  const created: ProvisionedDevice[] = [];
  let serials: string[] = [];
  let alreadyComplete = false;
  let first = true;

  // Secrets are hashed outside the transactions (scrypt is the slow part, run on libuv's thread pool), and the
  // next chunk's are hashed while the caller handles the previous chunk (QR codes and files).
  const nextChunk = () =>
    Promise.all(
      Array.from({ length: chunkSize }, () =>
        makeCandidate(settings, request.deviceType, request.firmwareVersion),
      ),
    );
  let upcoming = nextChunk();
  for (;;) {
    upcoming.catch(() => undefined); // awaited below; never an unhandled rejection if a chunk fails first
    let candidates = await upcoming;
    let outcome: { made: Candidate[]; serials: string[]; complete: boolean } | null = null;
    for (let round = 0; round < MAX_COLLISION_ROUNDS && outcome === null; round++) {
      const clash = await db.runTransaction(async (tx) => {
        const batchSnap = await tx.get(r.batch(request.batchId));
        const now = Timestamp.now();
        const existing = batchSnap.exists ? (batchSnap.data() as BatchDoc) : null;
        if (
          existing &&
          (existing.device_type !== request.deviceType ||
            existing.firmware_version !== request.firmwareVersion ||
            existing.count !== request.count)
        ) {
          throw new RegistryError(
            409,
            'batch_mismatch',
            `Batch ${request.batchId} exists with ${existing.count} × ${existing.device_type} firmware ` +
              `${existing.firmware_version}; re-run it with the same settings or pick another batch id.`,
          );
        }
        const madeSoFar = existing?.serials ?? [];
        const take = candidates.slice(0, Math.max(0, request.count - madeSoFar.length));
        const clashing = await collisions(tx, db, take);
        if (clashing.size > 0) return clashing;
        for (const candidate of take) writeDeviceDocs(tx, db, settings, candidate, request.batchId, now);
        const allSerials = [...madeSoFar, ...take.map((c) => c.device.serial_number)];
        const complete = allSerials.length >= request.count;
        const batchDoc: BatchDoc = {
          batch_id: request.batchId,
          device_type: request.deviceType,
          firmware_version: request.firmwareVersion,
          count: request.count,
          serials: allSerials,
          complete,
          created_at: existing?.created_at ?? now,
          updated_at: now,
        };
        if (take.length > 0 || !existing) tx.set(r.batch(request.batchId), batchDoc);
        outcome = { made: take, serials: allSerials, complete };
        return null;
      });
      if (clash) {
        candidates = await Promise.all(
          candidates.map((c, i) =>
            clash.has(i) ? makeCandidate(settings, request.deviceType, request.firmwareVersion) : c,
          ),
        );
      }
    }
    if (outcome === null)
      throw new Error('could not find unused serial numbers; the serial space is crowded');
    const {
      made,
      serials: batchSerials,
      complete,
    } = outcome as {
      made: Candidate[];
      serials: string[];
      complete: boolean;
    };
    serials = batchSerials;
    if (first && made.length === 0 && complete) alreadyComplete = true;
    first = false;
    if (!complete) upcoming = nextChunk();
    const devices = made.map((c) => c.device);
    await registerWithBroker(db, settings.broker, devices);
    created.push(...devices);
    if (devices.length > 0) await request.onChunk?.(devices, serials.length);
    if (complete) break;
  }
  return { batchId: request.batchId, created, serials, alreadyComplete };
}

/** One device (POST /api/devices): a given serial must be well-formed and unused. */
export async function provisionOne(
  db: Firestore,
  settings: ProvisionSettings,
  request: { deviceType: DeviceType; firmwareVersion: string; serial?: string; batchId?: string },
): Promise<ProvisionedDevice> {
  let serial: string | undefined;
  if (request.serial !== undefined) {
    const check = validateSerial(request.serial);
    if (!check.ok) throw new RegistryError(400, 'invalid_serial', check.message);
    serial = check.serial;
  }
  for (let round = 0; round < MAX_COLLISION_ROUNDS; round++) {
    const candidate = await makeCandidate(settings, request.deviceType, request.firmwareVersion, serial);
    const ok = await db.runTransaction(async (tx) => {
      const clashing = await collisions(tx, db, [candidate]);
      if (clashing.size > 0) {
        const serialSnap = await tx.get(refs(db).serial(candidate.device.serial_number));
        if (serial !== undefined && serialSnap.exists) {
          throw new RegistryError(409, 'serial_taken', `Serial number ${serial} already exists.`);
        }
        return false;
      }
      writeDeviceDocs(tx, db, settings, candidate, request.batchId ?? null, Timestamp.now());
      return true;
    });
    if (ok) {
      await registerWithBroker(db, settings.broker, [candidate.device]);
      return candidate.device;
    }
  }
  throw new Error('could not find an unused serial number / device id');
}

/**
 * New claim code and broker password for devices that are still `available` (their factory files were lost,
 * e.g. a run interrupted between commit and writing files). Claimed devices are skipped: their owner has them.
 */
export async function reissueFactorySecrets(
  db: Firestore,
  settings: ProvisionSettings,
  deviceIds: string[],
): Promise<ProvisionedDevice[]> {
  const r = refs(db);
  const reissued: ProvisionedDevice[] = [];
  for (let i = 0; i < deviceIds.length; i += MAX_CHUNK) {
    const ids = deviceIds.slice(i, i + MAX_CHUNK);
    const snaps = await db.getAll(...ids.map((id) => r.device(id)));
    const available = snaps.filter((s) => s.exists && (s.data() as DeviceDoc).status === 'available');
    const fresh = await Promise.all(
      available.map((s) => {
        const d = s.data() as DeviceDoc;
        return makeCandidate(settings, d.device_type, d.firmware_version, d.serial_number).then((c) => {
          c.device.device_id = d.device_id;
          c.device.flash_config.device_id = d.device_id;
          return c;
        });
      }),
    );
    await db.runTransaction(async (tx) => {
      const current = fresh.length ? await tx.getAll(...fresh.map((c) => r.device(c.device.device_id))) : [];
      const now = Timestamp.now();
      fresh.forEach((c, j) => {
        if ((current[j].data() as DeviceDoc | undefined)?.status !== 'available') return;
        writeClaimCode(
          tx,
          db,
          { deviceId: c.device.device_id, serial: c.device.serial_number },
          c.claimCodeHash,
          now,
          {
            broker_password_hash: c.brokerPasswordHash,
            broker_username: c.device.flash_config.username,
            broker_registered: false,
          },
        );
      });
    });
    const devices = fresh.map((c) => c.device);
    await registerWithBroker(db, settings.broker, devices);
    reissued.push(...devices);
  }
  return reissued;
}

/**
 * Registers with the broker devices provisioned while no broker was configured, using the credentials in their
 * flash files (the only place a broker password exists in plain). A password that does not match the stored
 * hash (a stale file) is skipped. Returns the serials registered.
 */
export async function registerPendingWithBroker(
  db: Firestore,
  settings: ProvisionSettings,
  flashConfigs: FlashConfig[],
): Promise<string[]> {
  if (!settings.broker || flashConfigs.length === 0) return [];
  const r = refs(db);
  const registered: string[] = [];
  for (let i = 0; i < flashConfigs.length; i += MAX_CHUNK) {
    const chunk = flashConfigs.slice(i, i + MAX_CHUNK);
    const secrets = await db.getAll(...chunk.map((f) => r.secret(f.device_id)));
    const pending: FlashConfig[] = [];
    for (const [j, snap] of secrets.entries()) {
      const secret = snap.data() as DeviceSecretDoc | undefined;
      if (!secret || secret.broker_registered) continue;
      if (await verifySecret(chunk[j].password, secret.broker_password_hash, settings.pepper))
        pending.push(chunk[j]);
    }
    const devices = pending.map((f) => ({
      device_id: f.device_id,
      serial_number: f.serial_number,
      flash_config: f,
      broker_registered: false,
    })) as ProvisionedDevice[];
    await registerWithBroker(db, settings.broker, devices);
    registered.push(...pending.map((f) => f.serial_number));
  }
  return registered;
}
