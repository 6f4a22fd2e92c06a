import { API_KEY_SCOPES, WEBHOOK_EVENTS } from '@esp32cloud/protocol';
import { z } from 'zod';
import { neededScope } from '../apikeys/admission.ts';
import type { Route } from '../http/router.ts';

// The OpenAPI 3.1 document of the API, built from the router's own table: every registered route, its path
// parameters, and its request body and query schemas converted from the zod schemas the route validates with
// (zod 4's toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is). So the document cannot drift
// from the code: a new route or a changed schema is in it on the next deploy.

type Json = Record<string, unknown>;

/** `io: 'input'` describes what a client sends (before transforms); refinements a schema cannot express are
 * left to the API's own 400 answers. */
function jsonSchema(schema: z.ZodType): Json {
  try {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as Json;
    return rest;
  } catch {
    return {};
  }
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(route: Route): Json {
  const { spec } = route;
  const pathParams = route.segments
    .filter((segment) => segment.startsWith(':'))
    .map((segment) => ({
      name: segment.slice(1),
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
  const query = spec.query ? jsonSchema(spec.query) : null;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParams = Object.entries((query?.properties as Record<string, Json> | undefined) ?? {}).map(
    ([name, schema]) => ({ name, in: 'query', required: required.has(name), schema }),
  );
  const security =
    spec.auth === 'none' ? [] : spec.auth === 'optional' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }];
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.segments
      .map((s) => (s.startsWith(':') ? `By_${s.slice(1)}` : s))
      .map((s) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()))
      .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
      .join('')}`,
    summary: spec.summary ?? `${route.method} ${route.pattern}`,
    tags: [route.segments[0] ?? 'root'],
    security,
    'x-api-key-scope':
      spec.auth === 'none'
        ? null
        : spec.idTokenOnly
          ? 'id-token-only'
          : neededScope({ ...spec, method: route.method, operatorOnly: spec.operatorOnly === true }),
    'x-operator-only': spec.operatorOnly === true,
    parameters: [...pathParams, ...queryParams],
    responses: {
      '2XX': { description: 'Success (JSON, CSV for *.csv routes, or no content).' },
      '400': errorResponse('Invalid input (code invalid_argument, invalid_json...).'),
      '401': errorResponse('Missing, invalid, revoked or expired ID token or API key.'),
      '403': errorResponse('Not allowed: permission_denied, insufficient_scope, plan_limit.'),
      '404': errorResponse('No such resource (or not visible to the caller).'),
      '429': errorResponse('Rate limited (resource_exhausted, rate_limited); see Retry-After.'),
    },
  };
  if (spec.body)
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } };
  return op;
}

const eventBodySchema = {
  type: 'object',
  required: ['event', 'event_id', 'occurred_at', 'device_id', 'data'],
  properties: {
    event: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    event_id: { type: 'string' },
    occurred_at: { type: 'string', format: 'date-time' },
    device_id: { type: 'string' },
    data: { type: 'object' },
  },
};

export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = `/api/${route.segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  const webhooks = Object.fromEntries(
    WEBHOOK_EVENTS.map((event) => [
      event,
      {
        post: {
          summary: `The ${event} event, signed with the endpoint's secret (x-esp32cloud-signature)`,
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/EventWebhookBody' } } },
          },
          responses: { '2XX': { description: 'Received; any other answer is retried.' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'ESP32 Cloud API',
      version,
      description:
        'Authenticate with a Firebase ID token or an integration API key, both as `Authorization: Bearer ...`. ' +
        `API key scopes: ${API_KEY_SCOPES.join(', ')}. See docs/API.md.`,
    },
    servers: [{ url: '/' }],
    paths,
    webhooks,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Firebase ID token, or an API key (e32k_...) created on the Integrations page.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
        EventWebhookBody: eventBodySchema,
      },
    },
  };
}
