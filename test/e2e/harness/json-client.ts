import type { DevServer } from './wrangler-dev';

/** A response whose body was read and, when not empty, parsed as JSON. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Untyped on purpose: the e2e tests assert on the wire shape, not on our types. */
  body: any;
}

export interface JsonRequestOptions {
  /** Sent as JSON with `Content-Type: application/json` unless `headers` names another type. */
  json?: unknown;
  /** Raw body, for bodies that are not valid JSON. Ignored when `json` is set. */
  body?: string;
  headers?: Record<string, string>;
  /** Maximum wait for the response headers, in ms (30 s by default). */
  timeoutMs?: number;
}

/**
 * Sends a request to `tenant` on `server` and reads the whole response. Throws
 * when a non-empty body is not JSON, quoting the body, since every response of
 * the API (errors included) is JSON.
 */
export async function jsonRequest(
  server: DevServer,
  tenant: string | null,
  method: string,
  path: string,
  options: JsonRequestOptions = {},
): Promise<JsonResponse> {
  const headers = { ...options.headers };
  if (options.json !== undefined) headers['content-type'] ??= 'application/json';
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const response = await server.request(tenant, path, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const text = await response.text();
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} for tenant ${tenant ?? 'default'} returned ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`);
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** `Authorization` header carrying the local admin token from wrangler.toml. */
export function adminHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
