import { config } from '../config.ts';
import type { Router } from '../http/router.ts';
import { openApiDocument } from '../openapi/document.ts';
import { OPENAPI_PAGE_CSS, openApiPage } from '../openapi/page.ts';

// GET /api/openapi.json and its browsable page GET /api/docs. Built once per instance from the router's table
// (every route is registered before the first request), so serving them costs nothing.

export function registerOpenApiRoutes(router: Router): void {
  let document: Record<string, unknown> | null = null;
  const built = () => {
    document ??= openApiDocument(router.table(), config.version);
    return document;
  };
  router.add('GET', '/openapi.json', {
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    handler: async () => ({ body: built(), headers: { 'cache-control': 'public, max-age=300' } }),
  });
  router.add('GET', '/docs', {
    auth: 'none',
    summary: 'The API reference as a web page',
    handler: async () => ({
      text: openApiPage(built()),
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    }),
  });
  router.add('GET', '/docs.css', {
    auth: 'none',
    summary: 'The stylesheet of the API reference page',
    handler: async () => ({
      text: OPENAPI_PAGE_CSS,
      headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
    }),
  });
}
