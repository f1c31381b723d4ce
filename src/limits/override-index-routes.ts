import type { Hono } from 'hono';

import type { EdgeAppEnv } from '../edge/app';
import { TENANT_SLUG } from '../routing/tenant-resolution';
import { TenantlogError } from '../errors';
import { OVERRIDE_INDEX_NAME } from './override-index';

/**
 * `GET /admin/overrides`: rate-limit overrides in force across tenants, from the
 * override index; `?tenant=<slug>` narrows it to one tenant. The edge checks the
 * admin token for every `/admin` path before this runs.
 */
export function registerOverrideIndexRoutes(app: Hono<EdgeAppEnv>): void {
  app.get('/admin/overrides', async (c) => {
    const tenant = c.req.query('tenant') ?? null;
    if (tenant !== null && !TENANT_SLUG.test(tenant)) {
      throw new TenantlogError('INVALID_TENANT', `query parameter tenant=${JSON.stringify(tenant)} is not a valid tenant slug`);
    }
    const index = c.env.OVERRIDE_INDEX.get(c.env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
    const items = await index.listActive(tenant);
    return c.json({ items, count: items.length });
  });
}
