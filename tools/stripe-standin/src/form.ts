// Stripe's request bodies are application/x-www-form-urlencoded with bracketed keys
// (`line_items[0][price]=price_x&metadata[uid]=u1`). This turns them back into the nested object the API docs
// describe; numeric keys make arrays.

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export function decodeForm(body: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, FormValue> | FormValue[] = root;
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      const last = i === path.length - 1;
      const slot = Array.isArray(node) ? Number(part) : part;
      if (last) {
        (node as Record<string | number, FormValue>)[slot] = value;
        break;
      }
      const existing = (node as Record<string | number, FormValue>)[slot];
      const next: FormValue =
        existing && typeof existing === 'object' ? existing : /^\d+$/.test(path[i + 1]) ? [] : {};
      (node as Record<string | number, FormValue>)[slot] = next;
      node = next as Record<string, FormValue> | FormValue[];
    }
  }
  return root;
}
