import { z } from 'zod';

import type { EventTypeEntry } from './definition';

/** Dollars per billing period; null means the deployment default (`COST_ALERT_WARNING`, `COST_ALERT_CRITICAL`). */
const dollars = z.number().nonnegative().max(1e9).nullable();

/**
 * The tenant's monitoring configuration, stored whole on every change: the name
 * shown as a metric label, the cost alert thresholds and the alert webhook.
 */
const monitoringConfigured = z.object({
  displayName: z.string().max(256).nullable(),
  costAlertsEnabled: z.boolean(),
  costAlertWarning: dollars,
  costAlertCritical: dollars,
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable(),
});

/** The tenant's cost in a billing period reached a threshold; raised once per level and period. */
const costAlert = z.object({
  level: z.enum(['warning', 'critical']),
  threshold: z.number().nonnegative(),
  totalCost: z.number().nonnegative(),
  /** Billing period, `YYYY-MM` in UTC. */
  period: z.string().regex(/^\d{4}-\d{2}$/),
});

export type MonitoringConfigured = z.infer<typeof monitoringConfigured>;
export type CostAlertRaised = z.infer<typeof costAlert>;

export const monitoringEventTypes: readonly EventTypeEntry[] = [
  ['monitoring.configured', { schemaVersion: 1, payload: monitoringConfigured }],
  ['cost.alert', { schemaVersion: 1, payload: costAlert }],
];
