/** Billing plans a tenant can be on. */
export type PlanName = 'starter' | 'pro' | 'enterprise';

export const PLAN_NAMES: readonly PlanName[] = ['starter', 'pro', 'enterprise'];

/** A resource with a plan quota. */
export type QuotaResource = 'users' | 'storage' | 'apiCalls';

export const QUOTA_RESOURCES: readonly QuotaResource[] = ['users', 'storage', 'apiCalls'];

/** A limit value that means "no limit". */
export const UNLIMITED = -1;

/**
 * Quotas of a plan: `users` counts things of type `User`, `storage` is in GB
 * (10^9 bytes, fractions allowed) and `apiCalls` counts requests per calendar
 * month (UTC). `UNLIMITED` (-1) lifts a quota.
 */
export interface PlanLimits {
  users: number;
  storage: number;
  apiCalls: number;
}

export interface PlanDefinition {
  limits: PlanLimits;
  features: readonly string[];
}

const starterFeatures = ['basic-analytics', 'email-support'];
const proFeatures = [...starterFeatures, 'advanced-analytics', 'api-access', 'custom-branding'];
const enterpriseFeatures = [...proFeatures, 'sso', 'audit-logs', 'dedicated-support', 'sla'];

/** Each plan's quotas and features; `tenant.configured` events copy them, so a later change here does not alter configured tenants. */
export const PLANS: Readonly<Record<PlanName, PlanDefinition>> = {
  starter: { limits: { users: 5, storage: 5, apiCalls: 10_000 }, features: starterFeatures },
  pro: { limits: { users: 25, storage: 50, apiCalls: 100_000 }, features: proFeatures },
  enterprise: { limits: { users: UNLIMITED, storage: 500, apiCalls: 1_000_000 }, features: enterpriseFeatures },
};

/** Bytes in one GB of the `storage` quota. */
export const BYTES_PER_GB = 1_000_000_000;

/** Result of a quota check; `limit` and `current` are in bytes for `storage`. */
export interface LimitCheck {
  /** True when `amount` more fits under the limit. */
  allowed: boolean;
  current: number;
  /** The limit, or -1 when unlimited. */
  limit: number;
  /** Amount left before the limit, never below 0; null when unlimited. */
  remaining: number | null;
}

/**
 * Checks whether `amount` more of a resource fits: allowed while
 * `current + amount <= limit`. `limit` is in the resource's quota unit and
 * `UNLIMITED` always allows; for `storage`, pass GB as `limit` and bytes as
 * `current` and `amount`.
 */
export function checkLimit(resource: QuotaResource, limit: number, current: number, amount = 1): LimitCheck {
  if (limit === UNLIMITED) return { allowed: true, current, limit: UNLIMITED, remaining: null };
  const limitInUnits = resource === 'storage' ? Math.round(limit * BYTES_PER_GB) : limit;
  return {
    allowed: current + amount <= limitInUnits,
    current,
    limit: limitInUnits,
    remaining: Math.max(0, limitInUnits - current),
  };
}

/** Start and end (exclusive) of the UTC calendar month that contains `now`, in ms, and its `YYYY-MM` key. */
export function calendarMonth(now: number): { key: string; start: number; end: number } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    key: `${year}-${String(month + 1).padStart(2, '0')}`,
    start: Date.UTC(year, month, 1),
    end: Date.UTC(year, month + 1, 1),
  };
}
