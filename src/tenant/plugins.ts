import { createQuotaPlugin } from '../limits/quota-plugin';
import { createRateLimitPlugin } from '../limits/rate-limit-plugin';
import { observabilityPlugin } from '../observability/plugin';
import type { TenantPluginFactory } from './plugin';

/**
 * Plugins of every tenant object, in the order their middleware runs. A feature
 * that lives inside the tenant object adds its factory here.
 */
export const tenantPluginFactories: readonly TenantPluginFactory[] = [
  // First, so it measures requests that later plugins reject.
  observabilityPlugin,
  createRateLimitPlugin,
  createQuotaPlugin,
];
