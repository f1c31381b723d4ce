import { Hono } from 'hono';

import type { Env } from '../env';
import { TenantlogError } from '../errors';
import { requireAdmin } from '../http/admin-auth';
import { errorResponse, JSON_CONTENT_TYPE } from '../http/error-response';
import { REQUEST_ID_HEADER } from '../http/internal-headers';
import { log } from '../observability/log';
import { parseTenantDomains, resolveTenant, TENANT_SLUG } from '../routing/tenant-resolution';
import { forwardToTenant } from './forward';

export type EdgeAppEnv = {
  Bindings: Env;
  Variables: { requestId: string; tenant: string; admin: boolean };
};

const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Hook that adds routes served by the edge itself, such as global admin routes. */
export type EdgeRouteRegistrar = (app: Hono<EdgeAppEnv>) => void;

/**
 * The Worker's HTTP entry: resolves the tenant from `Host`, authenticates admin
 * routes, forwards tenant requests to their Durable Object and writes one JSON
 * log line per request. Every response carries `X-Request-ID` and, once the
 * tenant is known, `X-Tenant-ID`.
 */
export function createEdgeApp(registrars: readonly EdgeRouteRegistrar[] = []): Hono<EdgeAppEnv> {
  const app = new Hono<EdgeAppEnv>();

  app.use('*', async (c, next) => {
    const started = Date.now();
    const clientRequestId = c.req.header(REQUEST_ID_HEADER);
    const requestId =
      clientRequestId !== undefined && CLIENT_REQUEST_ID.test(clientRequestId) ? clientRequestId : crypto.randomUUID();
    c.set('requestId', requestId);
    let tenant: string | undefined;

    try {
      tenant = resolveHostTenant(c.env, c.req.header('host') ?? new URL(c.req.url).host);
      c.set('tenant', tenant);
      const admin = c.req.path === '/admin' || c.req.path.startsWith('/admin/');
      if (admin) requireAdmin(c.req.header('authorization'), c.env.ADMIN_TOKEN);
      c.set('admin', admin);
      await next();
    } catch (error) {
      c.res = errorResponse(error);
    }

    // Responses from a Durable Object have immutable headers; copy before adding ours.
    c.res = new Response(c.res.body, c.res);
    // Hono's c.json, which builds the bodies of reads and edge routes, sends a bare `application/json`.
    // Writes and errors send JSON_CONTENT_TYPE, so every JSON response gets it here.
    if (c.res.headers.get('content-type') === 'application/json') c.res.headers.set('content-type', JSON_CONTENT_TYPE);
    c.res.headers.set('x-request-id', requestId);
    const responseTenant = c.get('tenant') ?? tenant;
    if (responseTenant !== undefined) c.res.headers.set('x-tenant-id', responseTenant);
    if (c.env.LOG_REQUESTS !== 'false') log('info', 'request', {
      tenant: responseTenant ?? null,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Date.now() - started,
      requestId,
    });
  });

  app.all('/admin/tenants/:tenant/*', (c) => {
    const tenant = c.req.param('tenant');
    if (!TENANT_SLUG.test(tenant)) {
      throw new TenantlogError('INVALID_TENANT', `tenant ${JSON.stringify(tenant)} is not a valid slug`);
    }
    c.set('tenant', tenant);
    const rest = c.req.path.slice(`/admin/tenants/${tenant}`.length);
    return forwardToTenant(c.env, c.req.raw, {
      tenant,
      requestId: c.get('requestId'),
      admin: true,
      actor: 'admin',
      path: `/admin${rest}`,
    });
  });

  for (const register of registrars) register(app);

  app.all('*', (c) =>
    forwardToTenant(c.env, c.req.raw, {
      tenant: c.get('tenant'),
      requestId: c.get('requestId'),
      admin: c.get('admin'),
      actor: c.get('admin') ? 'admin' : null,
    }),
  );

  app.onError((error) => errorResponse(error));
  return app;
}

function resolveHostTenant(env: Env, host: string): string {
  const resolution = resolveTenant(host, {
    domains: parseTenantDomains(env.TENANT_DOMAINS),
    unknownHost: env.UNKNOWN_HOST === 'reject' ? 'reject' : 'default',
  });
  switch (resolution.kind) {
    case 'tenant':
      return resolution.tenant;
    case 'invalid':
      throw new TenantlogError('INVALID_TENANT', `host label ${JSON.stringify(resolution.label)} is not a valid tenant: ${resolution.reason}`);
    case 'unknown':
      throw new TenantlogError('UNKNOWN_HOST', `host ${JSON.stringify(resolution.host)} is not served here; use <tenant>.<one of TENANT_DOMAINS>`);
  }
}
