// The browsable form of the OpenAPI document at GET /api/docs: plain HTML rendered on the server, with no
// script and its stylesheet a separate file (GET /api/docs.css), so it needs nothing from the web app's bundle
// and passes Hosting's Content-Security-Policy (script-src/style-src 'self', no inline code).

export const OPENAPI_PAGE_CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
section{border-top:1px solid #ddd;padding:.5rem 0}h3{margin:.3rem 0;font-size:1rem}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.meta{color:#555;font-size:.9rem}pre{background:#f5f5f5;padding:.5rem;overflow:auto}`;

type Json = Record<string, unknown>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function operationHtml(method: string, path: string, op: Json): string {
  const params = (op.parameters as Json[]).map(
    (p) =>
      `<li><code>${escapeHtml(String(p.name))}</code> (${escapeHtml(String(p.in))}${p.required ? ', required' : ''})</li>`,
  );
  const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content[
    'application/json'
  ]?.schema;
  const scope = op['x-api-key-scope'];
  return [
    `<section id="${escapeHtml(String(op.operationId))}"><h3><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
    `<p>${escapeHtml(String(op.summary))}</p>`,
    `<p class="meta">${scope === null ? 'No sign-in needed' : `API key scope: <b>${escapeHtml(String(scope))}</b>`}${op['x-operator-only'] ? ' · operators only' : ''}</p>`,
    params.length ? `<ul>${params.join('')}</ul>` : '',
    body
      ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre></details>`
      : '',
    '</section>',
  ].join('');
}

export function openApiPage(document: Json): string {
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>))
    for (const [method, op] of Object.entries(methods)) sections.push(operationHtml(method, path, op));
  const info = document.info as { title: string; version: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<link rel="stylesheet" href="docs.css"></head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). Authentication, scopes, rate limits and event webhooks: docs/API.md.</p>
${sections.join('\n')}
</body></html>`;
}
