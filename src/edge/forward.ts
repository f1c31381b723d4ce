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
 * internal headers with the facts the edge established. Throws
 * PAYLOAD_TOO_LARGE for a body over `MAX_BODY_BYTES`.
 *
 * The body is read here, up to the limit, rather than streamed: when the object
 * responds before reading a streamed body (a 404, a 405, a 413 by Content-Length),
 * workerd keeps piping the client's body after the response was sent, fails with
 * "Can't read from request stream after response has been sent" and restarts
 * the Worker, so the requests that follow hang or get a 503.
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

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  const body = hasBody ? await readBodyBytes(request) : null;
  const stub = env.TENANTS.get(env.TENANTS.idFromName(options.tenant));
  return await stub.fetch(url, { method: request.method, headers, body });
}
