import type { Hono } from 'hono';

import type { TenantAppEnv } from '../api/context';

export function registerProjectionAdminRoutes(app: Hono<TenantAppEnv>): void {
  app.get('/admin/projections/checksum', (c) => {
    const { store } = c.var.services;
    const head = store.log.readHead(c.var.info.tenant);
    return c.json({ tenant: c.var.info.tenant, lastSeq: head.seq, headHash: head.hash, ...store.checksum() });
  });

  // Replays the whole log, including events trimmed locally and read back from R2.
  app.post('/admin/projections/rebuild', async (c) => {
    const { pipeline } = c.var.services;
    const tenant = c.var.info.tenant;
    const result = await pipeline.rebuildProjections(tenant);
    return c.json({
      tenant,
      eventsReplayed: result.events,
      lastSeq: result.lastSeq,
      checksumBefore: result.checksumBefore,
      checksum: result.checksum.checksum,
      matches: result.checksumBefore === result.checksum.checksum,
      projections: result.checksum.projections,
    });
  });
}
