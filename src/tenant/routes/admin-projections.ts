import type { Hono } from 'hono';

import type { TenantAppEnv } from '../api/context';

export function registerProjectionAdminRoutes(app: Hono<TenantAppEnv>): void {
  app.get('/admin/projections/checksum', (c) => {
    const { store } = c.var.services;
    const head = store.log.readHead(c.var.info.tenant);
    return c.json({ tenant: c.var.info.tenant, lastSeq: head.seq, headHash: head.hash, ...store.checksum() });
  });

  app.post('/admin/projections/rebuild', (c) => {
    const { store } = c.var.services;
    const tenant = c.var.info.tenant;
    const before = store.checksum().checksum;
    const head = store.log.readHead(tenant);
    const result = store.rebuildProjections(store.log.iterateLocal(tenant));
    return c.json({
      tenant,
      eventsReplayed: result.events,
      lastSeq: head.seq,
      checksumBefore: before,
      checksum: result.checksum.checksum,
      matches: before === result.checksum.checksum,
      projections: result.checksum.projections,
    });
  });
}
