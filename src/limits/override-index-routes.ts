import type { Hono } from 'hono';

import type { EdgeAppEnv } from '../edge/app';
import { DEFAULT_TENANT, TENANT_SLUG } from '../routing/tenant-resolution';
import { TenantlogError } from '../errors';
import { OVERRIDE_INDEX_NAME } from './override-index';

/**
 * Registers `GET /admin/overrides`, the rate-limit overrides in force across
 * tenants from the override index, on a host of the default tenant (the bare
 * apex, an IP address or an unknown host). `?tenant=<slug>` narrows it to one
 * tenant. On another
 * tenant's host the request goes on to that tenant's object, which lists only its
 * own overrides, so a tenant host never shows other tenants' overrides. The edge
 * checks the admin token for every `/admin` path before this runs.
 */
export function registerOverrideIndexRoutes(app: Hono<EdgeAppEnv>): void {
  app.get('/admin/overrides', async (c, next) => {
    if (c.get('tenant') !== DEFAULT_TENANT) {
      await next();
      return;
    }
    const tenant = c.req.query('tenant') ?? null;
    if (tenant !== null && !TENANT_SLUG.test(tenant)) {
      throw new TenantlogError('INVALID_TENANT', `query parameter tenant=${JSON.stringify(tenant)} is not a valid tenant slug`);
    }
    const index = c.env.OVERRIDE_INDEX.get(c.env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
    const items = await index.listActive(tenant);
    return c.json({ items, count: items.length });
  });
}
