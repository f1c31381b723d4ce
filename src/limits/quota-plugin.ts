import type { MiddlewareHandler } from 'hono';

import { tenantConfigProjection } from '../../projections/tenant-config';
import type { TenantAppEnv } from '../tenant/api/context';
import type { TenantPlugin, TenantPluginContext } from '../tenant/plugin';
import type { CommandTx } from '../tenant/tenant-store';
import { type LimitsDefaults, readLimitsDefaults } from './limits-env';
import { calendarMonth, checkLimit, type QuotaResource } from './plans';
import { quotaExceeded } from './quota-exceeded';
import { registerQuotaRoutes } from './quota-routes';
import {
  apiCallUsageSchema,
  countApiCall,
  type EffectiveTenantConfig,
  readApiCalls,
  readEffectiveTenantConfig,
  readUsage,
  THING_BYTES_COUNTER,
  USER_COUNTER,
} from './tenant-usage';

/** Event types that add data; a write of deletions only is never refused for storage. */
const DATA_ADDING_EVENTS = new Set(['thing.created', 'thing.updated', 'relationship.created']);
/** Event types that change things or relationships, the only writes quotas apply to. */
const DATA_EVENTS = new Set([...DATA_ADDING_EVENTS, 'thing.deleted', 'relationship.deleted']);

/**
 * Plan quotas. `apiCalls` is checked and counted per request before any route
 * runs, so it limits reads and writes alike. `users` and `storage` are checked
 * inside each write transaction from the write's effect, so only a write that
 * grows them past the quota is refused (and rolled back) while reads and
 * deletions stay allowed. Requests with a valid admin token and admin events
 * (configuration, overrides) are exempt.
 */
export function createQuotaPlugin(context: TenantPluginContext): TenantPlugin {
  context.store.sql.exec(apiCallUsageSchema);
  let defaults: LimitsDefaults | null = null;
  const readDefaults = () => (defaults ??= readLimitsDefaults(context.env));

  // The tenant's configuration changes only when a `tenant.configured` event commits, and this
  // object alone counts its API calls, so both are read from SQLite once and then kept up to date here.
  let cachedConfig: EffectiveTenantConfig | null = null;
  let apiCalls: { month: string; calls: number } | null = null;
  let month: { key: string; start: number; end: number } | null = null;
  context.store.onCommit((events) => {
    if (events.some((event) => tenantConfigProjection.handles.has(event.type))) cachedConfig = null;
  });
  const readConfig = () => (cachedConfig ??= readEffectiveTenantConfig(context.store.sql, readDefaults().defaultPlan));

  const recordRejection = (resource: QuotaResource) =>
    context.metrics.increment('quota_exceeded_total', { tenant: context.tenant() ?? 'unknown', resource });

  // The growth of `users` and `storage` comes from the write's own events and counter
  // changes, so only the usage after the write is read. The usage before is after - growth.
  context.store.addWriteGuard(() => (done: CommandTx) => {
    if (!done.appended.some((event) => DATA_EVENTS.has(event.type))) return;
    const addsData = done.appended.some((event) => DATA_ADDING_EVENTS.has(event.type));
    const growth = {
      users: done.counterDelta(USER_COUNTER),
      storage: addsData ? done.appendedBytes + done.counterDelta(THING_BYTES_COUNTER) : 0,
    };
    if (growth.users <= 0 && growth.storage <= 0) return;

    // A write that configures the tenant is checked against its own new configuration, not yet committed.
    const configures = done.appended.some((event) => tenantConfigProjection.handles.has(event.type));
    const config = configures ? readEffectiveTenantConfig(done.sql, readDefaults().defaultPlan) : readConfig();
    for (const resource of ['users', 'storage'] as const) {
      if (growth[resource] <= 0) continue;
      const before = readUsage(done.sql, resource, done.now) - growth[resource];
      const check = checkLimit(resource, config.limits[resource], before, growth[resource]);
      if (!check.allowed) {
        recordRejection(resource);
        throw quotaExceeded(resource, check, config.plan, growth[resource]);
      }
    }
  });

  const middleware: MiddlewareHandler<TenantAppEnv> = async (c, next) => {
    if (!c.var.info.admin) {
      const sql = context.store.sql;
      const now = context.clock.now();
      // The month's key, computed again only when the clock leaves the month (forward or, under a test clock, back).
      if (month === null || now < month.start || now >= month.end) month = calendarMonth(now);
      const config = readConfig();
      if (apiCalls?.month !== month.key) apiCalls = { month: month.key, calls: readApiCalls(sql, month.key) };
      const check = checkLimit('apiCalls', config.limits.apiCalls, apiCalls.calls, 1);
      if (!check.allowed) {
        recordRejection('apiCalls');
        throw quotaExceeded('apiCalls', check, config.plan, 1);
      }
      // Counted in memory at once, so concurrent requests see each other. A request with a body
      // stores its count after the route, in the same batch of writes as the route's own: the body
      // read between them is I/O, which would otherwise commit the count in a batch of its own.
      // Reads store it first, so `GET /usage` includes its own request.
      apiCalls.calls += 1;
      const storeFirst = c.req.method === 'GET' || c.req.method === 'HEAD';
      const monthKey = month.key;
      if (storeFirst) countApiCall(sql, monthKey);
      try {
        await next();
      } finally {
        if (!storeFirst) countApiCall(sql, monthKey);
      }
      return;
    }
    await next();
  };

  return { name: 'quota', middleware, routes: (app) => registerQuotaRoutes(app, { context, readDefaults }) };
}
