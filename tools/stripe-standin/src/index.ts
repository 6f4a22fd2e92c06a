// One file on purpose (~410 lines): the stand-in's state (customers, sessions, subscriptions) is shared by its
// REST routes and the pay/portal pages that turn into signed webhooks; split, each part would take all of it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { decodeForm, type FormValue } from './form.ts';
import { checkoutPage, portalPage } from './pages.ts';

// A local stand-in for the three Stripe calls the billing code makes, on Stripe's documented REST contract:
// POST /v1/customers, /v1/checkout/sessions and /v1/billing_portal/sessions, form-encoded, authenticated with
// `Authorization: Bearer <secret key>`, answering Stripe's JSON objects (and Stripe's error shape). Stripe's
// servers cannot be reached from here; the functions talk to this through the stripe package's host/port/
// protocol options. Its Checkout page lets a person "pay"; it then sends the events Stripe sends
// (checkout.session.completed, customer.subscription.created, invoice.paid) signed with the webhook secret by
// the stripe package's own generateTestHeaderString. The portal page switches plan or cancels the same way.
// Every API request is recorded (GET /__standin/requests) so tests can check the parameters sent.

export interface StandinPrice {
  plan: string;
  /** Smallest currency unit (satang). */
  amount: number;
  currency: string;
}

export interface StripeStandinOptions {
  host: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  /** Where signed events go (the functions' /api/billing/webhook); settable later with setWebhookUrl. */
  webhookUrl?: string | null;
  prices: Record<string, StandinPrice>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether the Bearer key matched (the key itself is never recorded). */
  authorized: boolean;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  form: Record<string, FormValue>;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  status: number;
}

export interface StripeStandin {
  url: string;
  requests: RecordedRequest[];
  deliveries: WebhookDelivery[];
  setWebhookUrl(url: string): void;
  stop(): Promise<void>;
}

type Obj = Record<string, unknown>;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const MONTH_SECONDS = 30 * 24 * 3600;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 1_000_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req') });
  res.end(JSON.stringify(body));
}

const stripeError = (res: ServerResponse, status: number, type: string, message: string, param?: string) =>
  json(res, status, { error: { type, message, ...(param ? { param } : {}) } });

export async function startStripeStandin(options: StripeStandinOptions): Promise<StripeStandin> {
  const signer = new Stripe(options.secretKey);
  const customers = new Map<string, Obj>();
  const knownCustomer = (form: Obj) => typeof form.customer === 'string' && customers.has(form.customer);
  const noSuchCustomer = (res: ServerResponse, form: Obj) =>
    stripeError(res, 400, 'invalid_request_error', `No such customer: '${form.customer}'`, 'customer');
  const checkoutSessions = new Map<string, Obj>();
  const portalSessions = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const requests: RecordedRequest[] = [];
  const deliveries: WebhookDelivery[] = [];
  let webhookUrl = options.webhookUrl ?? null;
  let url = '';

  /** One event, signed exactly as Stripe signs it, POSTed to the webhook URL. */
  async function send(type: string, object: Obj): Promise<void> {
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: nowSeconds(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
    if (!webhookUrl) return;
    const payload = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: options.webhookSecret });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
      signal: AbortSignal.timeout(15_000),
    }).catch(() => null);
    deliveries.push({ eventId: event.id, type, status: response?.status ?? 0 });
  }

  function subscriptionFor(customer: string, price: string, metadata: Obj): Obj {
    const now = nowSeconds();
    return {
      id: newId('sub'),
      object: 'subscription',
      customer,
      status: 'active',
      created: now,
      cancel_at_period_end: false,
      metadata,
      items: {
        object: 'list',
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            quantity: 1,
            current_period_start: now,
            current_period_end: now + MONTH_SECONDS,
            price: { id: price, object: 'price', ...options.prices[price] },
          },
        ],
      },
    };
  }

  function invoiceFor(subscription: Obj, amount: number, currency: string): Obj {
    const id = newId('in');
    return {
      id,
      object: 'invoice',
      customer: subscription.customer,
      number: `STANDIN-${id.slice(-6).toUpperCase()}`,
      status: 'paid',
      amount_due: amount,
      amount_paid: amount,
      currency,
      created: nowSeconds(),
      hosted_invoice_url: `${url}/invoices/${id}`,
      parent: { subscription_details: { subscription: subscription.id, metadata: subscription.metadata } },
    };
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = await readBody(req);
    const form = decodeForm(body);
    const authorized = req.headers.authorization === `Bearer ${options.secretKey}`;
    requests.push({
      method: req.method ?? '',
      path,
      authorized,
      idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null,
      stripeVersion: (req.headers['stripe-version'] as string | undefined) ?? null,
      form,
    });
    if (!authorized) return stripeError(res, 401, 'invalid_request_error', 'Invalid API Key provided.');
    if (req.method !== 'POST')
      return stripeError(
        res,
        404,
        'invalid_request_error',
        `Unrecognized request URL (${req.method}: ${path}).`,
      );

    if (path === '/v1/customers') {
      const customer = {
        id: newId('cus'),
        object: 'customer',
        email: form.email ?? null,
        metadata: form.metadata ?? {},
        created: nowSeconds(),
        livemode: false,
      };
      customers.set(customer.id, customer);
      return json(res, 200, customer);
    }
    if (path === '/v1/checkout/sessions') {
      const lineItems = (form.line_items as Obj[] | undefined) ?? [];
      const price = lineItems[0]?.price as string | undefined;
      if (form.mode !== 'subscription')
        return stripeError(
          res,
          400,
          'invalid_request_error',
          'Only mode=subscription is served here.',
          'mode',
        );
      if (!price || !options.prices[price])
        return stripeError(
          res,
          400,
          'invalid_request_error',
          `No such price: '${price}'`,
          'line_items[0][price]',
        );
      if (!knownCustomer(form)) return noSuchCustomer(res, form);
      for (const field of ['success_url', 'cancel_url'])
        if (typeof form[field] !== 'string')
          return stripeError(res, 400, 'invalid_request_error', `Missing required param: ${field}.`, field);
      const id = newId('cs_test');
      const session = {
        id,
        object: 'checkout.session',
        mode: 'subscription',
        status: 'open',
        payment_status: 'unpaid',
        customer: form.customer,
        client_reference_id: form.client_reference_id ?? null,
        metadata: form.metadata ?? {},
        subscription: null,
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: `${url}/checkout/${id}`,
        price,
        subscription_metadata: (form.subscription_data as Obj | undefined)?.metadata ?? {},
      };
      checkoutSessions.set(id, session);
      const { price: _price, subscription_metadata: _metadata, ...visible } = session;
      return json(res, 200, visible);
    }
    if (path === '/v1/billing_portal/sessions') {
      if (!knownCustomer(form)) return noSuchCustomer(res, form);
      const id = newId('bps');
      const session = {
        id,
        object: 'billing_portal.session',
        customer: form.customer,
        return_url: form.return_url ?? null,
        url: `${url}/portal/${id}`,
        created: nowSeconds(),
        livemode: false,
      };
      portalSessions.set(id, session);
      return json(res, 200, session);
    }
    return stripeError(res, 404, 'invalid_request_error', `Unrecognized request URL (POST: ${path}).`);
  }

  const liveSubscriptionOf = (customer: unknown) =>
    [...subscriptions.values()].find((s) => s.customer === customer && s.status !== 'canceled') ?? null;
  const redirect = (res: ServerResponse, to: string) => {
    res.writeHead(303, { location: to });
    res.end();
  };
  const html = (res: ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  };
  const planLabel = (price: string) => options.prices[price]?.plan ?? price;

  async function pages(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<boolean> {
    const [kind, id, action] = parts;
    if (kind === 'checkout') {
      const session = checkoutSessions.get(id);
      if (!session) return false;
      const price = session.price as string;
      if (req.method === 'GET' && !action) {
        const amount = options.prices[price];
        const email = (customers.get(session.customer as string)?.email as string | null) ?? null;
        html(
          res,
          checkoutPage(
            id,
            planLabel(price),
            `${amount.amount / 100} ${amount.currency.toUpperCase()}`,
            email,
          ),
        );
        return true;
      }
      if (req.method === 'POST' && action === 'cancel') {
        redirect(res, session.cancel_url as string);
        return true;
      }
      if (req.method === 'POST' && action === 'pay') {
        if (session.status === 'open') {
          const subscription = subscriptionFor(
            session.customer as string,
            price,
            session.subscription_metadata as Obj,
          );
          subscriptions.set(subscription.id as string, subscription);
          Object.assign(session, {
            status: 'complete',
            payment_status: 'paid',
            subscription: subscription.id,
          });
          const { price: _p, subscription_metadata: _m, ...visible } = session;
          await send('checkout.session.completed', visible);
          await send('customer.subscription.created', subscription);
          const amount = options.prices[price];
          await send('invoice.paid', invoiceFor(subscription, amount.amount, amount.currency));
        }
        redirect(res, session.success_url as string);
        return true;
      }
    }
    if (kind === 'portal') {
      const session = portalSessions.get(id);
      if (!session) return false;
      const subscription = liveSubscriptionOf(session.customer);
      const back = (session.return_url as string | null) ?? url;
      if (req.method === 'GET' && !action) {
        const current = subscription
          ? ((subscription.items as { data: { price: { id: string } }[] }).data[0].price.id as string)
          : null;
        html(
          res,
          portalPage(
            id,
            subscription && current
              ? { plan: planLabel(current), status: subscription.status as string }
              : null,
            Object.keys(options.prices)
              .filter((price) => price !== current)
              .map((price) => ({ price, label: planLabel(price) })),
          ),
        );
        return true;
      }
      if (req.method === 'GET' && action === 'return') {
        redirect(res, back);
        return true;
      }
      if (req.method === 'POST' && subscription && action === 'cancel') {
        Object.assign(subscription, { status: 'canceled', canceled_at: nowSeconds() });
        await send('customer.subscription.deleted', subscription);
        redirect(res, back);
        return true;
      }
      if (req.method === 'POST' && subscription && action === 'switch') {
        const price = decodeForm(await readBody(req)).price as string;
        if (!options.prices[price]) return false;
        const items = subscription.items as { data: Obj[] };
        items.data[0] = { ...items.data[0], price: { id: price, object: 'price', ...options.prices[price] } };
        subscription.metadata = { ...(subscription.metadata as Obj), plan: options.prices[price].plan };
        await send('customer.subscription.updated', subscription);
        await send(
          'invoice.paid',
          invoiceFor(subscription, options.prices[price].amount, options.prices[price].currency),
        );
        redirect(res, back);
        return true;
      }
    }
    return false;
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const handle = async () => {
      if (path.startsWith('/v1/')) return api(req, res, path);
      if (req.method === 'GET' && path === '/__standin/requests')
        return json(res, 200, { requests, deliveries });
      if (await pages(req, res, path.split('/').filter(Boolean))) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not found');
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) stripeError(res, 500, 'api_error', String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  url = `http://${options.host}:${port}`;
  return {
    url,
    requests,
    deliveries,
    setWebhookUrl: (next) => {
      webhookUrl = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export * from './local.ts';
