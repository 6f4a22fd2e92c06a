import { roomOffBodySchema, type SetRoomResponse, setRoomBodySchema } from '@esp32cloud/protocol';
import { loadAccess } from '../devices/access.ts';
import { db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { requireOwner, roomOff, setRoom } from '../rooms/rooms.ts';

// PUT /api/devices/{deviceId}/room {room | null}: the owner puts a device in a room (or in none).
// POST /api/rooms/off {room}: every device of the room the caller may control is switched off; one result
// per device.

export function registerRoomRoutes(router: Router): void {
  router.add('PUT', '/devices/:deviceId/room', {
    auth: 'required',
    body: setRoomBodySchema,
    handler: async ({ params, body, caller }) => {
      const access = await loadAccess(db, caller!, params.deviceId);
      requireOwner(access);
      await setRoom(db, params.deviceId, body.room);
      const reply: SetRoomResponse = { device_id: params.deviceId, room: body.room };
      return { status: 200, body: reply };
    },
  });

  router.add('POST', '/rooms/off', {
    auth: 'required',
    scope: 'control',
    body: roomOffBodySchema,
    handler: async ({ body, caller }) => ({ status: 200, body: await roomOff(db, caller!.uid, body.room) }),
  });
}
