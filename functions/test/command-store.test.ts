import { commandUpdates, parseCommand } from '@esp32cloud/protocol';
import { type Stack, startStack, useStackEnv } from '@esp32cloud/tests/harness/stack';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSendFailed, recordSent } from '../src/commands/command-store.ts';

// The command store against our Firestore emulator: one batch records the command (sent) and the device
// shadow's `desired`, and a send failure never overwrites a status the bridge wrote first (a device that acks
// before the API's last step). docs/SCALING.md tells why this is not a transaction.

let stack: Stack;
let db: Firestore;

beforeAll(async () => {
  stack = await startStack({ firestore: true });
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function relay(pin: number, state: 'on' | 'off') {
  const parsed = parseCommand('4Relay', { command: 'relay', pin, state });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

async function newDevice(id: string) {
  await db.doc(`devices/${id}`).set({ device_id: id, desired: { outputs: { relay3: true } } });
}

describe('command store', () => {
  it('records the command and merges desired outputs field by field in one write', async () => {
    await newDevice('CS1');
    const first = await recordSent(db, 'CS1', 'c1', relay(25, 'on'), 'u1');
    const second = await recordSent(db, 'CS1', 'c2', relay(26, 'off'), 'u1');
    expect(first.status).toBe('sent');
    expect(second.createdAt).toBeInstanceOf(Timestamp);
    const device = (await db.doc('devices/CS1').get()).data()!;
    expect(device.desired.outputs).toEqual({ relay1: true, relay2: false, relay3: true });
    expect(device.desired.command_id).toBe('c2');
    const command = (await db.doc('devices/CS1/commands/c1').get()).data()!;
    expect(command).toMatchObject({ id: 'c1', command: 'relay', status: 'sent', requested_by: 'u1' });
    expect(command.sent_at).toBeInstanceOf(Timestamp);
  });

  it('marks an unanswered command failed when the broker refused it', async () => {
    await newDevice('CS2');
    const recorded = await recordSent(db, 'CS2', 'c1', relay(25, 'on'), 'u1');
    await markSendFailed(db, 'CS2', 'c1', recorded.createdAt!);
    const command = (await db.doc('devices/CS2/commands/c1').get()).data()!;
    expect(command.status).toBe('failed');
    expect(command.error.code).toBe('broker_unavailable');
  });

  it('keeps an ack that landed before the API marked the command failed', async () => {
    await newDevice('CS3');
    const recorded = await recordSent(db, 'CS3', 'c1', relay(25, 'on'), 'u1');
    // The bridge's ack write, as bridge/src/features/acks.ts makes it.
    const ack = commandUpdates.ack({ ok: true }, Timestamp.now());
    await db.doc('devices/CS3/commands/c1').update(ack);
    await markSendFailed(db, 'CS3', 'c1', recorded.createdAt!);
    const command = (await db.doc('devices/CS3/commands/c1').get()).data()!;
    expect(command.status).toBe('acked');
    expect(command.error).toBeUndefined();
  });

  it('does not record a repeated command id again, and reports its status', async () => {
    await newDevice('CS4');
    await recordSent(db, 'CS4', 'c1', relay(25, 'on'), 'u1');
    const again = await recordSent(db, 'CS4', 'c1', relay(25, 'off'), 'u2');
    expect(again).toEqual({ status: 'sent', createdAt: null });
    const device = (await db.doc('devices/CS4').get()).data()!;
    expect(device.desired.outputs.relay1).toBe(true);
  });
});
