import { TenantlogError } from '../errors';
import { BYTES_PER_GB, type LimitCheck, type PlanName, type QuotaResource } from './plans';

const advice: Record<QuotaResource, string> = {
  users: 'delete users or move the tenant to a larger plan',
  storage: 'delete data or move the tenant to a larger plan',
  apiCalls: 'wait for the next calendar month (UTC) or move the tenant to a larger plan',
};

/** Builds the 403 for a request that would take `resource` past the tenant's quota. */
export function quotaExceeded(resource: QuotaResource, check: LimitCheck, plan: PlanName, requested: number): TenantlogError {
  const unit = resource === 'storage' ? ' bytes' : '';
  const period = resource === 'apiCalls' ? ' this month' : '';
  return new TenantlogError(
    'QUOTA_EXCEEDED',
    `quota exceeded: ${resource} limit is ${check.limit}${unit} on plan ${plan}, current ${check.current}${unit}${period}, request needs ${requested} more; ${advice[resource]}`,
    {
      details: {
        resource,
        limit: check.limit,
        current: check.current,
        requested,
        plan,
        ...(resource === 'storage' ? { unit: 'bytes', limitGb: check.limit / BYTES_PER_GB } : {}),
      },
    },
  );
}
