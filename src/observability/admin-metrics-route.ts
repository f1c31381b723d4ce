import type { EdgeRouteRegistrar } from '../edge/app';
import { AGGREGATOR_NAME } from './aggregator-do';
import { EXPOSITION_CONTENT_TYPE } from './exposition';

/**
 * `GET /admin/metrics`: every tenant's metrics in the Prometheus text format. It
 * reads only the aggregator, never the tenant objects, so a scrape costs one
 * Durable Object request however many tenants there are. Values are as fresh as
 * each tenant's last push (`METRICS_PUSH_INTERVAL_MS`).
 */
export const registerAdminMetricsRoute: EdgeRouteRegistrar = (app) => {
  app.get('/admin/metrics', async (c) => {
    const aggregator = c.env.METRICS_AGGREGATOR.get(c.env.METRICS_AGGREGATOR.idFromName(AGGREGATOR_NAME));
    return c.body(await aggregator.exposition(), 200, { 'content-type': EXPOSITION_CONTENT_TYPE });
  });
};
