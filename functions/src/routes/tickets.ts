import {
  createTicketBodySchema,
  listTicketsQuerySchema,
  patchTicketBodySchema,
  ticketMessageBodySchema,
} from '@esp32cloud/protocol';
import { db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { addMessage, listTickets, openTicket, ticketWithMessages, updateTicket } from '../support/tickets.ts';

// /api/tickets/**: customers open tickets and write in their own threads; operators see every ticket, reply,
// and change status or assignee (PATCH: operators only). Someone else's ticket is a 404, like a missing one.

export function registerTicketRoutes(router: Router): void {
  router.add('POST', '/tickets', {
    auth: 'required',
    body: createTicketBodySchema,
    handler: async ({ body, caller }) => {
      const ticket = await openTicket(db, caller!, body);
      logs.ticketOpened(ticket.ticket_id, caller!.uid, ticket.device_id);
      return { status: 201, body: ticket };
    },
  });

  router.add('GET', '/tickets', {
    auth: 'required',
    query: listTicketsQuerySchema,
    handler: async ({ query, caller }) => ({ body: { tickets: await listTickets(db, caller!, query) } }),
  });

  router.add('GET', '/tickets/:ticketId', {
    auth: 'required',
    handler: async ({ params, caller }) => ({ body: await ticketWithMessages(db, caller!, params.ticketId) }),
  });

  router.add('POST', '/tickets/:ticketId/messages', {
    auth: 'required',
    body: ticketMessageBodySchema,
    handler: async ({ params, body, caller }) => {
      const message = await addMessage(db, caller!, params.ticketId, body.body);
      logs.ticketMessage(params.ticketId, caller!.uid, message.author_role);
      return { status: 201, body: message };
    },
  });

  router.add('PATCH', '/tickets/:ticketId', {
    auth: 'required',
    operatorOnly: true,
    body: patchTicketBodySchema,
    handler: async ({ params, body, caller }) => {
      const ticket = await updateTicket(db, caller!, params.ticketId, body);
      logs.ticketUpdated(ticket.ticket_id, caller!.uid, body.status ?? null);
      return { body: ticket };
    },
  });
}
