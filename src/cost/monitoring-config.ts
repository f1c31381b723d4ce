import { z } from 'zod';

import type { MonitoringConfigured } from '../../events/types/monitoring';
import type { MonitoringConfig } from '../../projections/monitoring';
import { TenantlogError } from '../errors';
import { parseWith, requireObject } from '../tenant/api/inputs';
import type { CostThresholds } from './collector';

/** Thresholds of the operations guide, used when neither the tenant nor the deployment sets one. */
export const DEFAULT_COST_ALERT_WARNING = 10;
export const DEFAULT_COST_ALERT_CRITICAL = 100;

const dollars = z.number().nonnegative().max(1e9).nullable().optional();

const configInput = z
  .object({
    displayName: z.string().max(256).nullable().optional(),
    costAlertsEnabled: z.boolean().optional(),
    costAlertWarning: dollars,
    costAlertCritical: dollars,
    webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048).nullable().optional(),
  })
  .strict();

/**
 * Reads the body of `PUT /admin/monitoring`. The body replaces the whole
 * configuration: an absent field takes its default (null, or true for
 * `costAlertsEnabled`).
 */
export function parseMonitoringConfig(body: unknown): MonitoringConfigured {
  const input = parseWith(configInput, requireObject(body, 'PUT /admin/tenants/:tenant/monitoring'), 'monitoring configuration');
  const config: MonitoringConfigured = {
    displayName: input.displayName ?? null,
    costAlertsEnabled: input.costAlertsEnabled ?? true,
    costAlertWarning: input.costAlertWarning ?? null,
    costAlertCritical: input.costAlertCritical ?? null,
    webhookUrl: input.webhookUrl ?? null,
  };
  if (config.costAlertWarning !== null && config.costAlertCritical !== null && config.costAlertWarning > config.costAlertCritical) {
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `costAlertWarning ${config.costAlertWarning} exceeds costAlertCritical ${config.costAlertCritical}; the warning must come first`,
      { details: { field: 'costAlertWarning' } },
    );
  }
  return config;
}

/** Deployment defaults from `COST_ALERT_WARNING` and `COST_ALERT_CRITICAL`, in dollars. */
export function deploymentThresholds(warning: string | undefined, critical: string | undefined): { warning: number; critical: number } {
  return {
    warning: parseDollars('COST_ALERT_WARNING', warning, DEFAULT_COST_ALERT_WARNING),
    critical: parseDollars('COST_ALERT_CRITICAL', critical, DEFAULT_COST_ALERT_CRITICAL),
  };
}

function parseDollars(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const dollarsValue = Number(value);
  if (!Number.isFinite(dollarsValue) || dollarsValue < 0) {
    throw new Error(`${name} ${JSON.stringify(value)} is invalid: use a non-negative number of US dollars`);
  }
  return dollarsValue;
}

/** Thresholds in force for a tenant: its own values where set, the deployment's otherwise, none when disabled. */
export function effectiveThresholds(config: MonitoringConfig, deployment: { warning: number; critical: number }): CostThresholds {
  if (!config.costAlertsEnabled) return { warning: null, critical: null };
  return {
    warning: config.costAlertWarning ?? deployment.warning,
    critical: config.costAlertCritical ?? deployment.critical,
  };
}
