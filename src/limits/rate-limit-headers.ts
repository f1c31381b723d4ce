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
 * Returns the seconds a rejected request waits before a retry (`Retry-After`). A
 * limit of 0 set without a block, such as a read limit of 0 or an increase that
 * rounds the limit down to 0, admits nothing however long the client waits. Like a
 * block without expiry, it then gets one window, since an operator may change the
 * settings meanwhile.
 */
export function retryAfterSeconds(state: RateLimitState, retryAt: number, now: number): number {
  const blocked = blockRetrySeconds(state, now);
  if (blocked !== null) return blocked;
  if (!Number.isFinite(retryAt)) return Math.ceil(state.config.windowMs / 1000);
  return Math.max(1, Math.ceil((retryAt - now) / 1000));
}

/**
 * `X-RateLimit-Limit`, `-Remaining` and `-Reset` (whole seconds until the window
 * resets, rounded up) for the scope the headline names.
 */
export function rateLimitHeaders(headline: RateLimitHeadline, state: RateLimitState, now: number): Record<string, string> {
  const resetSeconds = blockRetrySeconds(state, now) ?? Math.max(0, Math.ceil((headline.resetAt - now) / 1000));
  return {
    'x-ratelimit-limit': String(headline.limit),
    'x-ratelimit-remaining': String(headline.remaining),
    'x-ratelimit-reset': String(resetSeconds),
  };
}
