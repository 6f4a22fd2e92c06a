import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/src/openapi/document.ts';
import { openApiPage } from '../../functions/src/openapi/page.ts';
import { createRouter } from '../../functions/src/routes/index.ts';

// The OpenAPI document is built from the router's own table; this walks that table and checks every route is
// in the document, and validates the document against the OpenAPI 3.1 schema (swagger-parser, offline).
// The served copy (GET /api/openapi.json) is checked in api-keys.test.ts against the running function.

const router = createRouter();
const document = openApiDocument(router.table(), '0.0.0-test') as {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: unknown; security: unknown[]; 'x-api-key-scope': unknown }>
  >;
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('covers every route of functions/src/routes', () => {
    const table = router.table();
    expect(table.length).toBeGreaterThan(50);
    for (const route of table) {
      const path = `/api/${route.segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`;
      expect(
        document.paths[path]?.[route.method.toLowerCase()],
        `${route.method} ${route.pattern}`,
      ).toBeDefined();
    }
    const documented = Object.values(document.paths).reduce(
      (n, methods) => n + Object.keys(methods).length,
      0,
    );
    expect(documented).toBe(table.length);
  });

  it('carries request bodies from the zod schemas, and each route’s API key scope', () => {
    const control = document.paths['/api/devices/{deviceId}/control'].post;
    expect(control['x-api-key-scope']).toBe('control');
    expect(control.requestBody).toMatchObject({
      content: { 'application/json': { schema: { type: 'object', required: ['command'] } } },
    });
    const create = document.paths['/api/users/{uid}/api-keys'].post;
    expect(create['x-api-key-scope']).toBe('id-token-only');
    expect(JSON.stringify(create.requestBody)).toContain('"enum":["read","control","admin"]');
    expect(document.paths['/api/devices/{deviceId}/status'].get['x-api-key-scope']).toBe('read');
    expect(document.paths['/api/health'].get.security).toEqual([]);
    // Organisation management, like personal keys, needs a signed-in session.
    const orgKeys = document.paths['/api/organisations/{orgId}/api-keys'].post;
    expect(orgKeys['x-api-key-scope']).toBe('id-token-only');
    expect(JSON.stringify(orgKeys.requestBody)).toContain('"enum":["read","control","admin"]');
    expect(JSON.stringify(document.paths['/api/organisations/{orgId}/members'].post.requestBody)).toContain(
      '"enum":["admin","member"]',
    );
  });

  it('renders a browsable page without any script', () => {
    const html = openApiPage(document as never);
    expect(html).toContain('/api/devices/{deviceId}/control');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<style'); // Hosting's CSP allows stylesheets from 'self' only
    expect(html).toContain('href="docs.css"');
  });
});
