import { Hono } from 'hono';

import { isTenantlogError, TenantlogError } from '../errors';
import { errorResponse } from '../http/error-response';
import { ACTOR_HEADER, ADMIN_HEADER, REQUEST_ID_HEADER, TENANT_HEADER } from '../http/internal-headers';
import { guardMethods } from '../http/method-guard';
import { errorFields, log } from '../observability/log';
import { registerPipelineRoutes } from '../pipeline/pipeline-routes';
import type { RequestInfo, TenantAppEnv, TenantServices } from './api/context';
import type { TenantPlugin } from './plugin';
import { registerProjectionAdminRoutes } from './routes/admin-projections';
import { registerBatchRoutes } from './routes/batch';
import { registerEventRoutes } from './routes/events';
import { registerHealthRoutes } from './routes/health';
import { registerRelationshipRoutes } from './routes/relationships';
import { registerStatsRoutes } from './routes/stats';
import { registerThingRoutes } from './routes/things';

/** Reads the facts the edge established; a request without a tenant did not come through the edge. */
export function readRequestInfo(request: Request): RequestInfo {
  const tenant = request.headers.get(TENANT_HEADER);
  if (!tenant) {
    throw new TenantlogError('INTERNAL', `request reached the tenant object without ${TENANT_HEADER}`);
  }
  return {
    tenant,
    requestId: request.headers.get(REQUEST_ID_HEADER) ?? crypto.randomUUID(),
    actor: request.headers.get(ACTOR_HEADER),
    admin: request.headers.get(ADMIN_HEADER) === '1',
  };
}

/**
 * The HTTP API that runs inside a tenant's Durable Object: every data-plane route
 * and the per-tenant admin routes. `resolveServices` runs per request, after the
 * tenant is known, so the object can bind its storage to that tenant first.
 */
export function createTenantApp(
  resolveServices: (info: RequestInfo) => TenantServices,
  plugins: readonly TenantPlugin[] = [],
): Hono<TenantAppEnv> {
  const app = new Hono<TenantAppEnv>();

  app.use('*', async (c, next) => {
    const info = readRequestInfo(c.req.raw);
    if (c.req.path.startsWith('/admin/') && !info.admin) {
      throw new TenantlogError('UNAUTHORIZED', 'admin routes need Authorization: Bearer <ADMIN_TOKEN>');
    }
    c.set('info', info);
    c.set('services', resolveServices(info));
    await next();
  });
  for (const plugin of plugins) {
    if (plugin.middleware) app.use('*', plugin.middleware);
  }

  registerThingRoutes(app);
  registerRelationshipRoutes(app);
  registerBatchRoutes(app);
  registerEventRoutes(app);
  registerStatsRoutes(app);
  registerHealthRoutes(app);
  registerProjectionAdminRoutes(app);
  registerPipelineRoutes(app);
  for (const plugin of plugins) plugin.routes?.(app);
  guardMethods(app);

  app.notFound((c) =>
    errorResponse(new TenantlogError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    if (!isTenantlogError(error) || error.code === 'INTERNAL') {
      log('error', 'tenant request failed', {
        tenant: c.req.header(TENANT_HEADER),
        requestId: c.req.header(REQUEST_ID_HEADER),
        method: c.req.method,
        path: c.req.path,
        ...errorFields(error),
      });
    }
    return errorResponse(error);
  });
  return app;
}
