import type { Env } from '../env';
import { readBodyBytes } from '../http/body';
import { ACTOR_HEADER, ADMIN_HEADER, REQUEST_ID_HEADER, stripInternalHeaders, TENANT_HEADER } from '../http/internal-headers';

export interface ForwardOptions {
  tenant: string;
  requestId: string;
  admin: boolean;
  actor: string | null;
  /** Path to request inside the object; defaults to the incoming path. */
  path?: string;
}

/**
 * Sends a request to the tenant's Durable Object, replacing any client-sent
 * internal headers with the facts the edge established.
 *
 * The body is read here first, up to the 1 MiB limit (413 beyond it). Streaming it
 * through would fail whenever the object answers before reading it (a 429, a 400 on
 * a header): workerd rejects reads of an incoming request stream after the Worker
 * has returned its response.
 */
export async function forwardToTenant(env: Env, request: Request, options: ForwardOptions): Promise<Response> {
  const incoming = new URL(request.url);
  const url = `https://tenant.internal${options.path ?? incoming.pathname}${incoming.search}`;
  const headers = new Headers(request.headers);
  stripInternalHeaders(headers);
  headers.set(TENANT_HEADER, options.tenant);
  headers.set(REQUEST_ID_HEADER, options.requestId);
  if (options.admin) headers.set(ADMIN_HEADER, '1');
  if (options.actor !== null) headers.set(ACTOR_HEADER, options.actor);

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const body = hasBody ? await readBodyBytes(request) : null;
  const stub = env.TENANTS.get(env.TENANTS.idFromName(options.tenant));
  return stub.fetch(url, { method: request.method, headers, body });
}
