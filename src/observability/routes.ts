import type { Hono } from 'hono';

import type { MonitoringConfig } from '../../projections/monitoring';
import { effectiveThresholds, parseMonitoringConfig } from '../cost/monitoring-config';
import { parsePeriodId, periodAt } from '../cost/period';
import { CLOUDFLARE_PRICES } from '../cost/prices';
import { costReport } from '../cost/report';
import { emptyUsage } from '../cost/usage';
import { TenantlogError } from '../errors';
import { readJsonBody } from '../http/body';
import type { TenantAppEnv, TenantContext } from '../tenant/api/context';
import { jsonResponse, runWrite } from '../tenant/api/write';
import { EXPOSITION_CONTENT_TYPE } from './exposition';
import type { TenantTelemetry } from './tenant-telemetry';

/**
 * Routes of the tenant object for metrics and cost: `GET /metrics` and the admin
 * routes the edge forwards from `/admin/tenants/:tenant/...` (`cost`, `monitoring`, `metrics`).
 */
export function registerObservabilityRoutes(app: Hono<TenantAppEnv>, telemetry: TenantTelemetry): void {
  const { deployment, costs } = telemetry;

  const metrics = (c: TenantContext) =>
    c.body(telemetry.exposition(c.var.info.tenant), 200, { 'content-type': EXPOSITION_CONTENT_TYPE });
  app.get('/metrics', metrics);
  // `/admin/tenants/:tenant/metrics`: the same text for operators, outside the tenant's rate limit.
  app.get('/admin/metrics', metrics);

  app.get('/admin/cost', (c) => {
    const tenant = c.var.info.tenant;
    const now = c.var.services.store.clock.now();
    const current = periodAt(now);
    const requested = c.req.query('period');
    const period = requested === undefined || requested === '' ? current : parsePeriodId(requested);
    if (period.start > current.start) {
      throw new TenantlogError('VALIDATION_FAILED', `period ${period.id} has not started yet; the current period is ${current.id}`);
    }

    const thresholds = effectiveThresholds(telemetry.config(), deployment);
    if (period.id === current.id) {
      return c.json(costReport(tenant, period, telemetry.cost.current(), CLOUDFLARE_PRICES, { thresholds, raised: telemetry.cost.raisedLevels() }));
    }
    const usage = costs.load(period.id) ?? emptyUsage(period);
    return c.json(costReport(tenant, period, usage, CLOUDFLARE_PRICES, { thresholds, raised: telemetry.raisedLevelsIn(period.id) }));
  });

  app.get('/admin/monitoring', (c) => c.json(monitoringView(telemetry.config(), deployment)));

  app.put('/admin/monitoring', async (c) => {
    const body = await readJsonBody(c.req.raw);
    const config = parseMonitoringConfig(body, deployment);
    const response = runWrite(c, body, (tx) => {
      const [event] = tx.emit([{ type: 'monitoring.configured', payload: config }]);
      return jsonResponse(200, monitoringView({ ...config, seq: event!.seq }, deployment));
    });
    // New thresholds may already be below the period's cost.
    telemetry.cost.checkAlerts();
    return response;
  });
}

function monitoringView(config: MonitoringConfig, deployment: { warning: number; critical: number }) {
  return { ...config, effectiveThresholds: effectiveThresholds(config, deployment) };
}
