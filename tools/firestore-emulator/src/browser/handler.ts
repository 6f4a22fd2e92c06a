import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FirestoreService } from '../service.ts';
import { browserPage } from './page.ts';

// The data browser: GET /browser serves one self-contained page (no build, no network) that reads through the
// emulator's own REST API as admin; GET /browser/events streams each commit's changed paths (server-sent
// events) so the page refreshes live; GET /browser/denials lists recent rule denials with their reason.
// Clearing data uses DELETE /emulator/v1/projects/{p}/databases/{d}/documents.

export function handleBrowserRequest(
  request: IncomingMessage,
  response: ServerResponse,
  service: FirestoreService,
  defaultProjectId: () => string,
): boolean {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url ?? '/', 'http://emulator');
  const projectId = url.searchParams.get('project') || defaultProjectId();
  const databaseId = url.searchParams.get('database') || '(default)';
  if (url.pathname === '/browser' || url.pathname === '/browser/') {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    });
    response.end(browserPage(projectId, databaseId));
    return true;
  }
  if (url.pathname === '/browser/denials') {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(
      JSON.stringify({ denials: service.access.recentDenials.filter((d) => d.projectId === projectId) }),
    );
    return true;
  }
  if (url.pathname === '/browser/events') {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    const unsubscribe = service.database(projectId, databaseId).onCommit((changes) => {
      response.write(`data: ${JSON.stringify({ paths: changes.map((c) => c.path) })}\n\n`);
    });
    request.on('close', unsubscribe);
    return true;
  }
  return false;
}
