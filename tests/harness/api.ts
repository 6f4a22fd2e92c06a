// Calling the platform's HTTP API from a test as a client would: JSON in, {status, body} out, the response
// headers alongside.

export interface ApiCall {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  body: any;
  headers: Record<string, string>;
}

export async function call(
  apiUrl: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiCall> {
  const response = await fetch(`${apiUrl}${route}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const result = { status: response.status, body: text ? JSON.parse(text) : undefined } as ApiCall;
  // Not enumerable, so suites comparing whole answers ({status, body}) with toEqual stay as they are.
  Object.defineProperty(result, 'headers', { value: Object.fromEntries(response.headers) });
  return result;
}
