import type { Hono } from 'hono';

import { MAX_PAGE_BYTES } from '../../../projections/page';
import type { TenantAppEnv } from '../api/context';
import { parseIntegerParam } from '../api/inputs';

/** Most events one page of `GET /events` returns. */
export const MAX_EVENTS_PAGE = 1000;

export function registerEventRoutes(app: Hono<TenantAppEnv>): void {
  app.get('/events', async (c) => {
    const { store, pipeline } = c.var.services;
    const after = parseIntegerParam(c.req.query('after'), 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = parseIntegerParam(c.req.query('limit'), 'limit', 100, 1, MAX_EVENTS_PAGE);
    const head = store.log.readHead(c.var.info.tenant);
    // Payloads as stored, not upcast: the hash covers the stored form, so clients can verify each page.
    // Pages of events trimmed locally come from the committed files in R2.
    const items = await pipeline.readPage(c.var.info.tenant, after, limit, MAX_PAGE_BYTES);
    const last = items[items.length - 1];
    return c.json({
      items,
      count: items.length,
      lastSeq: head.seq,
      next: last !== undefined && last.seq < head.seq ? last.seq : null,
    });
  });
}
