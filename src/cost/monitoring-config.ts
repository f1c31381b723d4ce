import { z } from 'zod';

import type { MonitoringConfigured } from '../../events/types/monitoring';
import type { MonitoringConfig } from '../../projections/monitoring';
import { TenantlogError } from '../errors';
import { parseWith, requireObject } from '../tenant/api/inputs';
import type { CostThresholds } from './collector';

/** Thresholds of the operations guide, used when neither the tenant nor the deployment sets one. */
export const DEFAULT_COST_ALERT_WARNING = 10;
export const DEFAULT_COST_ALERT_CRITICAL = 100;

/** Maximum length of `webhookUrl`, in characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** True unless `url` parses with a user name or password; the URL check reports one that does not parse. */
function hasNoCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  } catch {
    return true;
  }
}

const dollars = z.number().nonnegative().max(1e9).nullable().optional();

const configInput = z
  .object({
    displayName: z.string().max(256).nullable().optional(),
    costAlertsEnabled: z.boolean().optional(),
    costAlertWarning: dollars,
    costAlertCritical: dollars,
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
      .refine(hasNoCredentials, 'must not contain a user name or password, because the URL is stored in the event log and the events table')
      .nullable()
      .optional(),
  })
  .strict();

/**
 * Reads the body of `PUT /admin/monitoring`. The body replaces the whole
 * configuration: an absent field takes its default (null, or true for
 * `costAlertsEnabled`). The warning threshold may not exceed the critical one,
 * each taken from the body or else from the `deployment` defaults.
 */
export function parseMonitoringConfig(body: unknown, deployment: { warning: number; critical: number }): MonitoringConfigured {
  const input = parseWith(configInput, requireObject(body, 'PUT /admin/tenants/:tenant/monitoring'), 'monitoring configuration');
  const config: MonitoringConfigured = {
    displayName: input.displayName ?? null,
    costAlertsEnabled: input.costAlertsEnabled ?? true,
    costAlertWarning: input.costAlertWarning ?? null,
    costAlertCritical: input.costAlertCritical ?? null,
    webhookUrl: input.webhookUrl ?? null,
  };
  const warning = config.costAlertWarning ?? deployment.warning;
  const critical = config.costAlertCritical ?? deployment.critical;
  if (warning > critical) {
    const thresholdText = (name: string, value: number, own: number | null) =>
      own === null ? `the deployment default ${name} ${value}` : `${name} ${value}`;
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `${thresholdText('costAlertWarning', warning, config.costAlertWarning)} exceeds ${thresholdText('costAlertCritical', critical, config.costAlertCritical)}; the warning must come first`,
      { details: { field: config.costAlertWarning === null ? 'costAlertCritical' : 'costAlertWarning' } },
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
