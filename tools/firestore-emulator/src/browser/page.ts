// The data browser page: collections tree, documents of the chosen collection, live refresh on every commit,
// recent rule denials, clear data. Plain DOM code in one inline script (the emulator ships no bundle). Text
// is inserted with textContent only, so stored data never becomes markup.

export function browserPage(projectId: string, databaseId: string): string {
  const config = JSON.stringify({ projectId, databaseId }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Firestore emulator — data</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; }
  header { display: flex; gap: 12px; align-items: center; padding: 8px 12px; background: #f1f3f5; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; }
  main { display: grid; grid-template-columns: minmax(160px, 1fr) 3fr; gap: 12px; padding: 12px; }
  section { min-width: 0; }
  h2 { font-size: 14px; margin: 0 0 6px; }
  ul { list-style: none; padding-left: 12px; margin: 0; }
  button.link { background: none; border: 0; padding: 2px 0; color: #0b57d0; cursor: pointer; font: inherit; text-align: left; }
  button.link[aria-current="true"] { font-weight: 700; }
  article { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 8px; margin-bottom: 8px; }
  article h3 { font-size: 13px; margin: 0 0 4px; word-break: break-all; }
  pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; }
  #denials li { border-left: 3px solid #d1242f; padding-left: 6px; margin-bottom: 6px; }
  #status { color: #57606a; }
</style>
</head>
<body>
<header>
  <h1>Firestore emulator</h1>
  <span id="project"></span>
  <span id="status">connecting…</span>
  <button id="clear" type="button">Clear all data</button>
</header>
<main>
  <section aria-labelledby="tree-title">
    <h2 id="tree-title">Collections</h2>
    <ul id="tree"></ul>
  </section>
  <section>
    <h2 id="documents-title">Documents</h2>
    <div id="documents"></div>
    <h2>Recent rule denials</h2>
    <ul id="denials"></ul>
  </section>
</main>
<script>
const config = ${config};
const base = '/v1/projects/' + encodeURIComponent(config.projectId) + '/databases/' + encodeURIComponent(config.databaseId) + '/documents';
const admin = { authorization: 'Bearer owner' };
let selected = null;
document.getElementById('project').textContent = config.projectId + ' / ' + config.databaseId;

async function api(path, init) {
  const response = await fetch(path, { ...init, headers: { ...admin, ...(init && init.headers) } });
  if (!response.ok) throw new Error(response.status + ' ' + (await response.text()));
  return response.json();
}

async function collectionIds(documentPath) {
  const suffix = documentPath ? '/' + documentPath : '';
  const body = await api(base + suffix + ':listCollectionIds', { method: 'POST', body: '{}' });
  return body.collectionIds || [];
}

async function documentsOf(collectionPath) {
  const out = [];
  let token = '';
  for (let page = 0; page < 50; page++) {
    const query = '?pageSize=300' + (token ? '&pageToken=' + encodeURIComponent(token) : '');
    const body = await api(base + '/' + collectionPath + query);
    out.push(...(body.documents || []));
    if (!body.nextPageToken) break;
    token = body.nextPageToken;
  }
  return out;
}

function relative(name) {
  return name.slice(name.indexOf('/documents/') + '/documents/'.length);
}

function plain(value) {
  if ('mapValue' in value) return Object.fromEntries(Object.entries(value.mapValue.fields || {}).map(([k, v]) => [k, plain(v)]));
  if ('arrayValue' in value) return (value.arrayValue.values || []).map(plain);
  if ('nullValue' in value) return null;
  const key = Object.keys(value)[0];
  return value[key];
}

async function renderTree(list, parentDocument) {
  list.replaceChildren();
  for (const id of await collectionIds(parentDocument)) {
    const path = parentDocument ? parentDocument + '/' + id : id;
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.className = 'link';
    button.type = 'button';
    button.textContent = id;
    button.dataset.collection = path;
    if (path === selected) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => { selected = path; refresh(); });
    item.append(button);
    if (selected && (selected === path || selected.startsWith(path + '/'))) {
      for (const doc of await documentsOf(path)) {
        const docPath = relative(doc.name);
        if (!selected.startsWith(docPath + '/')) continue;
        const nested = document.createElement('ul');
        const label = document.createElement('li');
        label.textContent = docPath.split('/').pop();
        const children = document.createElement('ul');
        label.append(children);
        nested.append(label);
        item.append(nested);
        await renderTree(children, docPath);
      }
    }
    list.append(item);
  }
}

async function renderDocuments() {
  const box = document.getElementById('documents');
  box.replaceChildren();
  document.getElementById('documents-title').textContent = selected ? 'Documents in ' + selected : 'Documents';
  if (!selected) return;
  for (const doc of await documentsOf(selected)) {
    const article = document.createElement('article');
    article.dataset.path = relative(doc.name);
    const title = document.createElement('h3');
    const link = document.createElement('button');
    link.className = 'link';
    link.type = 'button';
    link.textContent = relative(doc.name);
    title.append(link);
    const fields = document.createElement('pre');
    fields.textContent = JSON.stringify(plain({ mapValue: { fields: doc.fields || {} } }), null, 2);
    article.append(title, fields);
    const subcollections = await collectionIds(relative(doc.name));
    if (subcollections.length > 0) {
      const sub = document.createElement('div');
      for (const id of subcollections) {
        const open = document.createElement('button');
        open.className = 'link';
        open.type = 'button';
        open.textContent = '→ ' + id;
        open.addEventListener('click', () => { selected = relative(doc.name) + '/' + id; refresh(); });
        sub.append(open, document.createTextNode(' '));
      }
      article.append(sub);
    }
    box.append(article);
  }
}

async function renderDenials() {
  const body = await fetch('/browser/denials?project=' + encodeURIComponent(config.projectId)).then((r) => r.json());
  const list = document.getElementById('denials');
  list.replaceChildren();
  for (const denial of body.denials.slice().reverse()) {
    const item = document.createElement('li');
    item.textContent = denial.at + ' · ' + denial.method + ' · ' + (denial.uid || 'signed out') + ' — ' + denial.message;
    list.append(item);
  }
}

let running = null;
let again = false;
async function refresh() {
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      await renderTree(document.getElementById('tree'), '');
      await renderDocuments();
      await renderDenials();
      document.getElementById('status').textContent = 'live · updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      document.getElementById('status').textContent = 'error: ' + error.message;
    }
  })();
  await running;
  running = null;
  if (again) { again = false; await refresh(); }
}

document.getElementById('clear').addEventListener('click', async () => {
  if (!confirm('Delete every document of ' + config.projectId + '?')) return;
  await fetch('/emulator/v1/projects/' + encodeURIComponent(config.projectId) + '/databases/' + encodeURIComponent(config.databaseId) + '/documents', { method: 'DELETE' });
  selected = null;
  refresh();
});

const events = new EventSource('/browser/events?project=' + encodeURIComponent(config.projectId) + '&database=' + encodeURIComponent(config.databaseId));
events.onmessage = () => refresh();
setInterval(renderDenials, 2000);
refresh();
</script>
</body>
</html>
`;
}
