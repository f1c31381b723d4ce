import type { RateLimitState } from './rate-limit-state';
import type { RateLimitHeadline } from './rate-limiter';

/**
 * Seconds until a blocked tenant should retry: until the block expires, or one
 * window when it has no expiry (the block may be lifted at any time).
 */
export function blockRetrySeconds(state: RateLimitState, now: number): number | null {
  if (state.effect.kind !== 'block') return null;
  const expiresAt = state.effect.override.expiresAt;
  return expiresAt === null ? Math.ceil(state.config.windowMs / 1000) : Math.max(1, Math.ceil((expiresAt - now) / 1000));
}

/**
 * Seconds a client waits under a limit of 0 set without a block, such as a read
 * limit of 0. Such a limit admits nothing however long the client waits, so like a
 * block without expiry it gets one window, since an operator may change the
 * settings meanwhile.
 */
function zeroLimitSeconds(state: RateLimitState): number {
  return Math.ceil(state.config.windowMs / 1000);
}

/** Returns the seconds a rejected request waits before a retry (`Retry-After`). */
export function retryAfterSeconds(state: RateLimitState, retryAt: number, now: number): number {
  const blocked = blockRetrySeconds(state, now);
  if (blocked !== null) return blocked;
  if (!Number.isFinite(retryAt)) return zeroLimitSeconds(state);
  return Math.max(1, Math.ceil((retryAt - now) / 1000));
}

/**
 * `X-RateLimit-Limit`, `-Remaining` and `-Reset` (whole seconds until the window
 * resets, rounded up) for the scope the headline names. Under a limit of 0 the
 * reset is the `Retry-After` of that limit, one window, because no reset of the
 * window admits a request.
 */
export function rateLimitHeaders(headline: RateLimitHeadline, state: RateLimitState, now: number): Record<string, string> {
  const windowResetSeconds = headline.limit === 0 ? zeroLimitSeconds(state) : Math.max(0, Math.ceil((headline.resetAt - now) / 1000));
  const resetSeconds = blockRetrySeconds(state, now) ?? windowResetSeconds;
  return {
    'x-ratelimit-limit': String(headline.limit),
    'x-ratelimit-remaining': String(headline.remaining),
    'x-ratelimit-reset': String(resetSeconds),
  };
}
