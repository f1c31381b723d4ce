import type { Hono } from 'hono';

import { readCounter } from '../../../projections/counters';
import type { TenantAppEnv } from '../api/context';

/** Mean SQL latency above which the sql component reports `degraded`, in ms. */
const SQL_DEGRADED_MS = 100;

export function registerHealthRoutes(app: Hono<TenantAppEnv>): void {
  app.get('/health', (c) => {
    const { store, startedAt, sqlLatency } = c.var.services;
    const now = store.clock.now();
    const pipeline = c.var.services.pipelineHealth();
    const avgQueryLatencyMs = Math.round(sqlLatency.mean() * 1000) / 1000;
    const sql = { status: avgQueryLatencyMs > SQL_DEGRADED_MS ? 'degraded' : 'healthy', avgQueryLatencyMs };
    const state = { status: 'healthy', thingCount: readCounter(store.sql, 'things') };

    const statuses = [state.status, pipeline.status, sql.status];
    const status = statuses.includes('unhealthy') ? 'unhealthy' : statuses.includes('degraded') ? 'degraded' : 'healthy';
    return c.json(
      {
        status,
        timestamp: new Date(now).toISOString(),
        uptimeMs: Math.max(0, now - startedAt),
        components: { state, pipeline, sql },
      },
      status === 'unhealthy' ? 503 : 200,
    );
  });
}
