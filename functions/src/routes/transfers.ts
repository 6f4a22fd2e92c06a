import { type ListTransfersResponse, transferBodySchema } from '@esp32cloud/protocol';
import { config } from '../config.ts';
import { auth, db } from '../firebase.ts';
import { forbidden } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import {
  acceptTransfer,
  cancelTransfer,
  declineTransfer,
  incomingTransfers,
  offerTransfer,
  pendingTransfer,
} from '../transfers/transfers.ts';

// Ownership transfer: /api/devices/{id}/transfer (the owner sends, reads, cancels) and
// /api/users/{uid}/transfers/** (the recipient lists, accepts, declines). The domain work lives in
// ../transfers/transfers.ts.

/** Transfers are personal: only the signed-in account itself, never an operator on its behalf. */
function requireSelf(callerUid: string, uid: string): void {
  if (callerUid !== uid)
    throw forbidden('You can only see and accept transfers offered to your own account.');
}

export function registerTransferRoutes(router: Router): void {
  router.add('POST', '/devices/:deviceId/transfer', {
    auth: 'required',
    body: transferBodySchema,
    handler: async ({ params, caller, body }) => {
      const transfer = await offerTransfer(
        db,
        auth,
        caller!,
        params.deviceId,
        body.email,
        config.registry.transferExpirySeconds,
      );
      logs.transferOffered(params.deviceId, caller!.uid, transfer.to_uid);
      return { status: 201, body: transfer, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('GET', '/devices/:deviceId/transfer', {
    auth: 'required',
    handler: async ({ params, caller }) => ({
      body: await pendingTransfer(db, caller!, params.deviceId),
      headers: { 'cache-control': 'no-store' },
    }),
  });

  router.add('DELETE', '/devices/:deviceId/transfer', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      await cancelTransfer(db, caller!, params.deviceId);
      logs.transferCancelled(params.deviceId, caller!.uid);
      return { status: 204 };
    },
  });

  router.add('GET', '/users/:uid/transfers', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!.uid, params.uid);
      const body: ListTransfersResponse = { transfers: await incomingTransfers(db, params.uid) };
      return { body, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('POST', '/users/:uid/transfers/:deviceId/accept', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!.uid, params.uid);
      const accepted = await acceptTransfer(db, caller!, params.deviceId);
      logs.transferAccepted(params.deviceId, caller!.uid);
      return { body: accepted };
    },
  });

  router.add('DELETE', '/users/:uid/transfers/:deviceId', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!.uid, params.uid);
      await declineTransfer(db, params.uid, params.deviceId);
      logs.transferDeclined(params.deviceId, caller!.uid);
      return { status: 204 };
    },
  });
}
