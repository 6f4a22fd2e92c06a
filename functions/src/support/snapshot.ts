import type { DeviceSnapshot } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { DEVICE_SUBCOLLECTIONS, type DeviceDoc, iso, refs } from '../shared/documents.ts';
import { deviceSummary } from './device-view.ts';

// The device's state when its customer asks for help, taken by the API (a client could claim anything):
// status, presence, last seen, signal, firmware, and its latest error log lines and failed commands.

export async function deviceSnapshot(
  db: Firestore,
  device: DeviceDoc,
  errors: number,
): Promise<DeviceSnapshot> {
  const r = refs(db);
  const [logs, failed] = await Promise.all([
    r
      .subcollection(device.device_id, DEVICE_SUBCOLLECTIONS.logs)
      .where('level', '==', 'error')
      .orderBy('received_at', 'desc')
      .limit(errors)
      .get(),
    r
      .subcollection(device.device_id, DEVICE_SUBCOLLECTIONS.commands)
      .where('status', '==', 'failed')
      .orderBy('created_at', 'desc')
      .limit(errors)
      .get(),
  ]);
  const recent = [
    ...logs.docs.map((doc) => ({ at: iso(doc.get('received_at')), message: String(doc.get('message')) })),
    ...failed.docs.map((doc) => ({
      at: iso(doc.get('created_at')),
      message: `command ${doc.get('command')} failed: ${doc.get('error.code') ?? 'error'}`,
    })),
  ]
    .sort((a, b) => String(b.at).localeCompare(String(a.at)))
    .slice(0, errors);
  const { owner_uid: _owner, ...summary } = deviceSummary(device);
  return {
    ...summary,
    rssi: device.state?.rssi ?? null,
    recent_errors: recent,
  };
}
