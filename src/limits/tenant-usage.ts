import { readCounter } from '../../projections/counters';
import type { SqlExecutor } from '../../projections/projection';
import { readTenantConfig } from '../../projections/tenant-config';
import { calendarMonth, checkLimit, type LimitCheck, PLANS, type PlanLimits, type PlanName, type QuotaResource } from './plans';

/**
 * Requests served per UTC calendar month, in SQLite so the count survives
 * restarts. Not a projection: it counts requests, which are not events.
 */
export const apiCallUsageSchema = `CREATE TABLE IF NOT EXISTS api_call_usage (month TEXT PRIMARY KEY, calls INTEGER NOT NULL) WITHOUT ROWID`;

/** Thing type whose count is the `users` quota. */
export const USER_THING_TYPE = 'User';
/** Projection counters behind the `users` and `storage` quotas. */
export const USER_COUNTER = `things.type:${USER_THING_TYPE}`;
export const THING_BYTES_COUNTER = 'things.bytes';

/** A tenant's plan with its quotas and features, as configured or from the default plan. */
export interface EffectiveTenantConfig {
  plan: PlanName;
  limits: PlanLimits;
  features: string[];
  /** False while the tenant has no `tenant.configured` event and the default plan applies. */
  configured: boolean;
}

export function readEffectiveTenantConfig(sql: SqlExecutor, defaultPlan: PlanName): EffectiveTenantConfig {
  const stored = readTenantConfig(sql);
  if (stored) return { plan: stored.plan, limits: stored.limits, features: stored.features, configured: true };
  const plan = PLANS[defaultPlan];
  return { plan: defaultPlan, limits: { ...plan.limits }, features: [...plan.features], configured: false };
}

export function readApiCalls(sql: SqlExecutor, monthKey: string): number {
  const row = sql.exec<{ calls: number }>(`SELECT calls FROM api_call_usage WHERE month = ?`, monthKey).toArray()[0];
  return row?.calls ?? 0;
}

export function countApiCall(sql: SqlExecutor, monthKey: string): void {
  sql.exec(
    `INSERT INTO api_call_usage (month, calls) VALUES (?, 1) ON CONFLICT(month) DO UPDATE SET calls = calls + 1`,
    monthKey,
  );
}

/** Things of type `User`, from the projection's per-type counter. */
export function readUserCount(sql: SqlExecutor): number {
  return readCounter(sql, USER_COUNTER);
}

/**
 * Bytes the tenant stores: payloads of every event in its log plus the current
 * things (id, type and data JSON). Read from SQLite rather than the cached log
 * head, so inside a write transaction it includes the write's own events.
 */
export function readStorageBytes(sql: SqlExecutor): number {
  // One statement for both sums: the quota check runs this inside every write that adds data.
  const row = sql
    .exec<{ log: number | null; things: number | null }>(
      `SELECT (SELECT bytes FROM log_head WHERE singleton = 1) AS log,
              (SELECT value FROM projection_counters WHERE name = ?) AS things`,
      THING_BYTES_COUNTER,
    )
    .toArray()[0];
  return (row?.log ?? 0) + (row?.things ?? 0);
}

/** Current usage of one resource at `now`. */
export function readUsage(sql: SqlExecutor, resource: QuotaResource, now: number): number {
  switch (resource) {
    case 'users':
      return readUserCount(sql);
    case 'storage':
      return readStorageBytes(sql);
    case 'apiCalls':
      return readApiCalls(sql, calendarMonth(now).key);
  }
}

/** `checkLimit` against the tenant's configured quota and current usage. */
export function checkTenantLimit(
  sql: SqlExecutor,
  config: EffectiveTenantConfig,
  resource: QuotaResource,
  now: number,
  amount = 1,
): LimitCheck {
  return checkLimit(resource, config.limits[resource], readUsage(sql, resource, now), amount);
}
