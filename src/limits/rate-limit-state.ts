import { readRateLimitOverrides, readRateLimitSettings } from '../../projections/rate-limits';
import type { SqlExecutor } from '../../projections/projection';
import { combineOverrides, isOverrideActive, type OverrideEffect, type RateLimitOverride } from './overrides';
import { type RateLimitConfig, type RateLimitSettings, resolveRateLimitConfig } from './rate-limit-config';
import { type EffectiveLimits, effectiveLimits } from './rate-limiter';

/** Everything that decides a tenant's limits at one moment, read from its projections. */
export interface RateLimitState {
  /** Settings of the last `ratelimit.configured` event, or null. */
  settings: RateLimitSettings | null;
  config: RateLimitConfig;
  /** Overrides in force at `now`; expired ones are left out. */
  activeOverrides: RateLimitOverride[];
  effect: OverrideEffect;
  limits: EffectiveLimits;
}

/** The rows of the rate-limits projection that decide a tenant's limits. */
export interface StoredRateLimits {
  settings: RateLimitSettings | null;
  /** Overrides set and not lifted, expired ones included. */
  overrides: readonly RateLimitOverride[];
}

export function readStoredRateLimits(sql: SqlExecutor): StoredRateLimits {
  return { settings: readRateLimitSettings(sql), overrides: readRateLimitOverrides(sql) };
}

export function readRateLimitState(sql: SqlExecutor, defaults: RateLimitConfig, now: number): RateLimitState {
  return rateLimitStateAt(readStoredRateLimits(sql), defaults, now);
}

/** The state that `stored` gives at `now`: which overrides are in force depends on the clock alone. */
export function rateLimitStateAt(stored: StoredRateLimits, defaults: RateLimitConfig, now: number): RateLimitState {
  const config = resolveRateLimitConfig(defaults, stored.settings);
  const activeOverrides = stored.overrides.filter((override) => isOverrideActive(override, now));
  const effect = combineOverrides(activeOverrides, now);
  return { settings: stored.settings, config, activeOverrides, effect, limits: effectiveLimits(config, effect) };
}

/**
 * The last state `rateLimitStateAt` computed, reused while the same stored rows
 * and defaults give the same state: until an override in force expires or, for a
 * clock set back, until the time before the latest expiry passed.
 */
export class RateLimitStateCache {
  private last: { stored: StoredRateLimits; defaults: RateLimitConfig; state: RateLimitState; validFrom: number; validUntil: number } | null = null;

  /** `rateLimitStateAt(stored, defaults, now)`; pass the same objects while they are unchanged. */
  stateAt(stored: StoredRateLimits, defaults: RateLimitConfig, now: number): RateLimitState {
    const last = this.last;
    if (last !== null && last.stored === stored && last.defaults === defaults && now >= last.validFrom && now < last.validUntil) return last.state;

    // Which overrides are in force changes only at an expiry, so the state stays the same between the expiries around `now`.
    let validFrom = Number.NEGATIVE_INFINITY;
    let validUntil = Number.POSITIVE_INFINITY;
    for (const { expiresAt } of stored.overrides) {
      if (expiresAt === null) continue;
      if (expiresAt > now) validUntil = Math.min(validUntil, expiresAt);
      else validFrom = Math.max(validFrom, expiresAt);
    }
    const state = rateLimitStateAt(stored, defaults, now);
    this.last = { stored, defaults, state, validFrom, validUntil };
    return state;
  }
}

/** An override as the API returns it; times as ISO 8601 strings. */
export function overrideView(tenant: string, override: RateLimitOverride, now: number) {
  return {
    id: override.id,
    tenant,
    type: override.type,
    multiplier: override.multiplier,
    expiresAt: override.expiresAt === null ? null : new Date(override.expiresAt).toISOString(),
    reason: override.reason,
    createdAt: new Date(override.createdAt).toISOString(),
    active: isOverrideActive(override, now),
  };
}
