import type { Hono } from 'hono';

import { readCounter, readCountersWithPrefix } from '../../../projections/counters';
import type { TenantAppEnv } from '../api/context';

export function registerStatsRoutes(app: Hono<TenantAppEnv>): void {
  app.get('/stats', (c) => {
    const { store } = c.var.services;
    const head = store.log.readHead(c.var.info.tenant);
    return c.json({
      tenant: c.var.info.tenant,
      thingCount: readCounter(store.sql, 'things'),
      relationshipCount: readCounter(store.sql, 'relationships'),
      eventCount: head.seq,
      lastSeq: head.seq,
      byType: readCountersWithPrefix(store.sql, 'things.type:'),
    });
  });
}
