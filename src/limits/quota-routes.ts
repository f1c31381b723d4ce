import type { Hono } from 'hono';
import { z } from 'zod';

import { featureList, planName, tenantLimits } from '../../events/types/tenant';
import { readJsonBody } from '../http/body';
import type { TenantAppEnv, TenantContext } from '../tenant/api/context';
import { parseWith, requireObject } from '../tenant/api/inputs';
import { jsonResponse, runWrite } from '../tenant/api/write';
import type { TenantPluginContext } from '../tenant/plugin';
import type { LimitsDefaults } from './limits-env';
import { calendarMonth, PLANS, QUOTA_RESOURCES } from './plans';
import { checkTenantLimit, readEffectiveTenantConfig } from './tenant-usage';

export interface QuotaRouteDependencies {
  context: TenantPluginContext;
  readDefaults(): LimitsDefaults;
}

/** Body of `PUT /admin/tenants/:tenant/config`: a plan, optionally with adjusted quotas and features. */
const configRequest = z.strictObject({
  plan: planName,
  limits: tenantLimits.partial().optional(),
  features: featureList.optional(),
});

/**
 * `GET /usage` for the tenant, and for operators `GET /admin/usage`,
 * `GET /admin/config` and `PUT /admin/config` (through the edge under
 * `/admin/tenants/:tenant/`).
 */
export function registerQuotaRoutes(app: Hono<TenantAppEnv>, dependencies: QuotaRouteDependencies): void {
  const { context, readDefaults } = dependencies;
  const sql = () => context.store.sql;

  const usageReport = (c: TenantContext) => {
    const now = context.clock.now();
    const config = readEffectiveTenantConfig(sql(), readDefaults().defaultPlan);
    const month = calendarMonth(now);
    const usage = Object.fromEntries(
      QUOTA_RESOURCES.map((resource) => [resource, checkTenantLimit(sql(), config, resource, now)]),
    );
    return {
      tenant: c.var.info.tenant,
      plan: config.plan,
      configured: config.configured,
      features: config.features,
      period: { month: month.key, start: new Date(month.start).toISOString(), end: new Date(month.end).toISOString() },
      usage,
      units: { users: 'things of type User', storage: 'bytes', apiCalls: 'requests this month (UTC)' },
    };
  };

  const configView = (c: TenantContext) => ({
    tenant: c.var.info.tenant,
    ...readEffectiveTenantConfig(sql(), readDefaults().defaultPlan),
  });

  app.get('/usage', (c) => c.json(usageReport(c)));
  app.get('/admin/usage', (c) => c.json(usageReport(c)));
  app.get('/admin/config', (c) => c.json(configView(c)));

  app.put('/admin/config', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'PUT /admin/config');
    const request = parseWith(configRequest, body, 'tenant config');
    const plan = PLANS[request.plan];
    const payload = {
      plan: request.plan,
      limits: { ...plan.limits, ...request.limits },
      features: request.features ?? [...plan.features],
    };
    return runWrite(c, body, (tx) => {
      tx.emit([{ type: 'tenant.configured', payload }]);
      return jsonResponse(200, configView(c));
    });
  });
}
