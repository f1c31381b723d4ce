import type { OverrideEffect } from './overrides';
import type { RateLimitConfig } from './rate-limit-config';
import { createWindowCounter, nextAdmissionAt, remainingRequests, type WindowCounter } from './window-counter';

/** GET and HEAD are reads; every other method is a write. */
export type RequestKind = 'read' | 'write';

export function requestKind(method: string): RequestKind {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' ? 'read' : 'write';
}

/** A counted dimension: all requests, reads, or writes. */
export type LimitScope = 'total' | 'read' | 'write';

/** Limits in force after overrides; null means the scope has no cap of its own. */
export interface EffectiveLimits {
  total: number;
  read: number | null;
  write: number | null;
}

/**
 * Scales the configured limits by the active override: a block sets every limit
 * to 0 and an increase multiplies them, rounding down. A bypass leaves them as
 * configured; the limiter then skips the check instead.
 */
export function effectiveLimits(config: RateLimitConfig, effect: OverrideEffect): EffectiveLimits {
  let multiplier = 1;
  if (effect.kind === 'block') multiplier = 0;
  if (effect.kind === 'scale') multiplier = effect.multiplier;
  const scale = (limit: number | null) => (limit === null ? null : Math.floor(limit * multiplier));
  return { total: scale(config.requestsPerWindow)!, read: scale(config.readLimit), write: scale(config.writeLimit) };
}

/** The numbers the `X-RateLimit-*` headers carry: the tightest scope that applies to the request. */
export interface RateLimitHeadline {
  scope: LimitScope;
  limit: number;
  remaining: number;
  /** ms since the Unix epoch */
  resetAt: number;
}

export interface RateLimitWarning {
  scope: LimitScope;
  used: number;
  limit: number;
}

export type RateLimitDecision =
  | { allowed: true; headline: RateLimitHeadline; warnings: RateLimitWarning[] }
  | {
      allowed: false;
      headline: RateLimitHeadline;
      /** Scope whose limit was reached. */
      rejectedBy: LimitScope;
      /** Earliest time a retry can be admitted, ms since the Unix epoch; Infinity while limits are 0. */
      retryAt: number;
    };

export interface ScopeUsage {
  /** Requests counted in the window; fractional under `sliding`, rounded to 3 decimals. */
  used: number;
  /** null when the scope has no cap of its own. */
  limit: number | null;
  remaining: number | null;
}

export interface RateLimitUsage extends ScopeUsage {
  limit: number;
  remaining: number;
  /** `used / limit` in percent, 100 when the limit is 0. */
  percentUsed: number;
  /** ms since the Unix epoch */
  windowResetsAt: number;
  reads: ScopeUsage;
  writes: ScopeUsage;
}

/**
 * The per-tenant limiter: three window counters (all requests, reads, writes)
 * with the configured strategy. It keeps state in memory and is pure otherwise:
 * every call takes the time, the config and the override effect as input, so one
 * instance serves one tenant object and unit tests drive it with plain numbers.
 * Reads and writes are always counted, whether or not they have a limit.
 */
export class RateLimiter {
  private counters: Record<LimitScope, WindowCounter> | null = null;
  /** Aligned window index of the last warning per scope, so each window warns at most once. */
  private readonly warnedWindow = new Map<LimitScope, number>();

  /**
   * Admits or rejects one request of `kind` and, when admitted, counts it. The
   * check and the count happen in one synchronous call, so concurrent requests
   * to one object cannot both take the last slot.
   */
  consume(kind: RequestKind, config: RateLimitConfig, limits: EffectiveLimits, now: number): RateLimitDecision {
    const counters = this.countersFor(config);
    const scopes: LimitScope[] = ['total', kind];

    // 1. Reject when any capped scope is full; the retry waits for the slowest of them.
    let rejectedBy: LimitScope | null = null;
    let retryAt = now;
    for (const scope of scopes) {
      const limit = limits[scope];
      if (limit === null || counters[scope].count(now) < limit) continue;
      const admission = nextAdmissionAt(counters[scope], limit, now);
      if (rejectedBy === null || admission > retryAt) {
        rejectedBy = scope;
        retryAt = admission;
      }
    }
    if (rejectedBy !== null) {
      return { allowed: false, headline: this.headline(kind, limits, now), rejectedBy, retryAt };
    }

    // 2. Count the request in every scope it belongs to.
    for (const scope of scopes) counters[scope].record(now);

    // 3. Warn once per aligned window for each capped scope past the threshold.
    const warnings: RateLimitWarning[] = [];
    const windowIndex = Math.floor(now / config.windowMs);
    for (const scope of scopes) {
      const limit = limits[scope];
      if (limit === null || limit === 0) continue;
      const used = counters[scope].count(now);
      if (used / limit < config.warningThreshold || this.warnedWindow.get(scope) === windowIndex) continue;
      this.warnedWindow.set(scope, windowIndex);
      warnings.push({ scope, used: roundUsage(used), limit });
    }
    return { allowed: true, headline: this.headline(kind, limits, now), warnings };
  }

  /** Computes the header numbers for a request of `kind` without counting it (admin requests, bypasses). */
  peek(kind: RequestKind, config: RateLimitConfig, limits: EffectiveLimits, now: number): RateLimitHeadline {
    this.countersFor(config);
    return this.headline(kind, limits, now);
  }

  /** Usage of every scope at `now`, for the admin status endpoint and the gauges. */
  usage(config: RateLimitConfig, limits: EffectiveLimits, now: number): RateLimitUsage {
    const counters = this.countersFor(config);
    const scopeUsage = (scope: LimitScope): ScopeUsage => {
      const limit = limits[scope];
      return {
        used: roundUsage(counters[scope].count(now)),
        limit,
        remaining: limit === null ? null : remainingRequests(counters[scope], limit, now),
      };
    };
    const total = scopeUsage('total');
    return {
      used: total.used,
      limit: limits.total,
      remaining: total.remaining!,
      percentUsed: limits.total === 0 ? 100 : roundUsage((total.used / limits.total) * 100),
      windowResetsAt: counters.total.resetAt(now),
      reads: scopeUsage('read'),
      writes: scopeUsage('write'),
    };
  }

  /** Requests the `total` scope still admits at `now`, as `usage(...).remaining` reports it. */
  remainingTotal(config: RateLimitConfig, limits: EffectiveLimits, now: number): number {
    return remainingRequests(this.countersFor(config).total, limits.total, now);
  }

  private headline(kind: RequestKind, limits: EffectiveLimits, now: number): RateLimitHeadline {
    const counters = this.counters!;
    let best: RateLimitHeadline | null = null;
    for (const scope of ['total', kind] as const) {
      const limit = limits[scope];
      if (limit === null) continue;
      const remaining = remainingRequests(counters[scope], limit, now);
      if (best === null || remaining < best.remaining) {
        best = { scope, limit, remaining, resetAt: counters[scope].resetAt(now) };
      }
    }
    return best!;
  }

  /** Counters for the config's strategy and window; a change of either starts empty windows. */
  private countersFor(config: RateLimitConfig): Record<LimitScope, WindowCounter> {
    const counters = this.counters;
    if (counters !== null && counters.total.strategy === config.windowStrategy && counters.total.windowMs === config.windowMs) return counters;
    this.counters = {
      total: createWindowCounter(config.windowStrategy, config.windowMs),
      read: createWindowCounter(config.windowStrategy, config.windowMs),
      write: createWindowCounter(config.windowStrategy, config.windowMs),
    };
    this.warnedWindow.clear();
    return this.counters;
  }
}

function roundUsage(value: number): number {
  return Math.round(value * 1000) / 1000;
}
