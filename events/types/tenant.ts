import { z } from 'zod';

import { BYTES_PER_GB, PLAN_NAMES, type PlanName } from '../../src/limits/plans';
import type { EventTypeEntry } from './definition';

/** A count quota, or -1 for unlimited. */
const countQuota = z.number().int().min(-1);
/** Largest storage quota in GB whose byte count is still a safe integer, about 9 PB. */
export const MAX_STORAGE_QUOTA_GB = Math.floor(Number.MAX_SAFE_INTEGER / BYTES_PER_GB);
/** Storage in GB (fractions allowed), or -1 for unlimited. */
const storageQuota = z
  .number()
  .refine(
    (value) => value === -1 || (value >= 0 && value <= MAX_STORAGE_QUOTA_GB),
    `must be -1 (unlimited) or from 0 to ${MAX_STORAGE_QUOTA_GB}`,
  );

export const tenantLimits = z.strictObject({ users: countQuota, storage: storageQuota, apiCalls: countQuota });
export const planName = z.enum(PLAN_NAMES as [PlanName, ...PlanName[]]);
export const featureList = z.array(z.string().min(1).max(64)).max(100);

/**
 * A tenant's plan with the quotas and features in force. They are copied from
 * the plan table (plus any admin adjustments) when the event is written, so a
 * later change of the table never changes a tenant that was already configured.
 */
const tenantConfigured = z.object({
  plan: planName,
  limits: tenantLimits,
  features: featureList,
});

export type TenantConfigured = z.infer<typeof tenantConfigured>;

export const tenantEventTypes: readonly EventTypeEntry[] = [['tenant.configured', { schemaVersion: 1, payload: tenantConfigured }]];
