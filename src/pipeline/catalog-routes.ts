import type { Hono } from 'hono';

import type { EdgeAppEnv } from '../edge/app';
import { rejectOtherMethods } from '../http/method-guard';
import { parseIntegerParam } from '../tenant/api/inputs';
import { MAX_SNAPSHOTS_PER_CALL } from './catalog-do';
import { catalogStub } from './catalog-types';

/**
 * Admin routes of the events table, served by the edge from the catalog object:
 * `GET /admin/table` (current metadata location, snapshot id and totals) and
 * `GET /admin/table/snapshots?limit=&before=` (history, newest first; `next` is the
 * `before` of the following page). The edge checks the admin token for every
 * `/admin` path before these run.
 */
export function registerCatalogRoutes(app: Hono<EdgeAppEnv>): void {
  app.get('/admin/table', async (c) => c.json(await catalogStub(c.env).summary()));

  app.get('/admin/table/snapshots', async (c) => {
    const limit = parseIntegerParam(c.req.query('limit'), 'limit', 100, 1, MAX_SNAPSHOTS_PER_CALL);
    // An empty `before=` means no bound, as an empty integer query parameter means its default elsewhere.
    const beforeQuery = c.req.query('before');
    const before = beforeQuery === undefined || beforeQuery === '' ? null : parseIntegerParam(beforeQuery, 'before', 0, 1, Number.MAX_SAFE_INTEGER);
    const items = await catalogStub(c.env).snapshots(limit, before);
    const last = items[items.length - 1];
    return c.json({ items, count: items.length, next: items.length === limit && last !== undefined && last.sequenceNumber > 1 ? last.sequenceNumber : null });
  });

  for (const path of ['/admin/table', '/admin/table/snapshots']) rejectOtherMethods(app, path, ['GET', 'HEAD']);
}
