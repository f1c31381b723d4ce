import type { Env } from '../env';
import { TenantlogError } from '../errors';
import { PLAN_NAMES, type PlanName } from './plans';
import { MAX_REQUESTS_PER_WINDOW, MAX_WINDOW_MS, type RateLimitConfig } from './rate-limit-config';
import { WINDOW_STRATEGIES, type WindowStrategy } from './window-counter';

/** Deployment-wide defaults of the limits, from the Worker's variables. */
export interface LimitsDefaults {
  rateLimit: RateLimitConfig;
  /** Tenants that are never rate limited (`RATE_LIMIT_ADMIN_TENANTS`). */
  adminTenants: ReadonlySet<string>;
  /** Plan of a tenant that has no `tenant.configured` event yet (`DEFAULT_PLAN`). */
  defaultPlan: PlanName;
}

/**
 * Reads the `RATE_LIMIT_*` and `DEFAULT_PLAN` variables; an unset or empty one
 * takes the default documented in wrangler.toml. Throws INTERNAL naming the
 * variable when a value is invalid, since that is a deployment error.
 */
export function readLimitsDefaults(env: Env): LimitsDefaults {
  const requestsPerWindow = integerVar(env, 'RATE_LIMIT_REQUESTS', 1000, 1, MAX_REQUESTS_PER_WINDOW);
  const windowMs = integerVar(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1, MAX_WINDOW_MS);
  const windowStrategy = choiceVar(env, 'RATE_LIMIT_STRATEGY', WINDOW_STRATEGIES, 'sliding') as WindowStrategy;
  const thresholdText = env.RATE_LIMIT_WARNING_THRESHOLD?.trim() || '0.8';
  const warningThreshold = Number(thresholdText);
  if (!(warningThreshold > 0 && warningThreshold <= 1)) {
    throw invalidVar('RATE_LIMIT_WARNING_THRESHOLD', thresholdText, 'a number in (0, 1]');
  }
  const adminTenants = new Set(
    (env.RATE_LIMIT_ADMIN_TENANTS ?? '')
      .split(',')
      .map((tenant) => tenant.trim())
      .filter((tenant) => tenant !== ''),
  );
  return {
    rateLimit: { requestsPerWindow, windowMs, readLimit: null, writeLimit: null, windowStrategy, warningThreshold },
    adminTenants,
    defaultPlan: choiceVar(env, 'DEFAULT_PLAN', PLAN_NAMES, 'starter') as PlanName,
  };
}

type LimitsVariable = 'RATE_LIMIT_REQUESTS' | 'RATE_LIMIT_WINDOW_MS' | 'RATE_LIMIT_STRATEGY' | 'DEFAULT_PLAN';

function integerVar(env: Env, name: LimitsVariable, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw invalidVar(name, text, `an integer from ${min} to ${max}`);
  return value;
}

function choiceVar(env: Env, name: LimitsVariable, choices: readonly string[], fallback: string): string {
  const text = env[name]?.trim();
  if (!text) return fallback;
  if (!choices.includes(text)) throw invalidVar(name, text, `one of ${choices.join(', ')}`);
  return text;
}

function invalidVar(name: string, value: string, expected: string): TenantlogError {
  return new TenantlogError('INTERNAL', `variable ${name}=${JSON.stringify(value)} is invalid: expected ${expected}`);
}
