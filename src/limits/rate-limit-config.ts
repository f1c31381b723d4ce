import { z } from 'zod';

import { WINDOW_STRATEGIES, type WindowStrategy } from './window-counter';

/** Largest window a tenant may configure, in ms (one day). */
export const MAX_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Largest per-window limit accepted, so a multiplied limit stays an exact integer. */
export const MAX_REQUESTS_PER_WINDOW = 1_000_000_000;

/** One tenant's rate-limit settings after defaults are applied. */
export interface RateLimitConfig {
  /** Cap on all requests per window, reads and writes together. */
  requestsPerWindow: number;
  windowMs: number;
  /** Cap on GET and HEAD requests per window, or null for no separate cap. */
  readLimit: number | null;
  /** Cap on every other method per window, or null for no separate cap. */
  writeLimit: number | null;
  windowStrategy: WindowStrategy;
  /** Fraction of a limit (0 < t <= 1) at which one warning per window is logged. */
  warningThreshold: number;
}

// The maximum comes first, so a value such as 2**53 is reported against the real
// cap rather than against zod's safe-integer bound of `.int()`.
const limit = z.number().max(MAX_REQUESTS_PER_WINDOW, `must be at most ${MAX_REQUESTS_PER_WINDOW}`).int('must be an integer').min(0);

/**
 * Fields a tenant's `ratelimit.configured` event may set. Absent fields follow the
 * deployment defaults (`RATE_LIMIT_*` variables), so changing a default reaches
 * every tenant that did not set that field.
 */
export const rateLimitSettings = z.strictObject({
  requestsPerWindow: limit.min(1).optional(),
  windowMs: z.number().max(MAX_WINDOW_MS, `must be at most ${MAX_WINDOW_MS} ms (one day)`).int('must be an integer').min(1).optional(),
  readLimit: limit.nullable().optional(),
  writeLimit: limit.nullable().optional(),
  windowStrategy: z.enum(WINDOW_STRATEGIES as [WindowStrategy, ...WindowStrategy[]]).optional(),
  warningThreshold: z.number().gt(0).max(1).optional(),
});

export type RateLimitSettings = z.infer<typeof rateLimitSettings>;

/** Applies a tenant's settings over the deployment defaults. */
export function resolveRateLimitConfig(defaults: RateLimitConfig, settings: RateLimitSettings | null): RateLimitConfig {
  if (settings === null) return defaults;
  return {
    requestsPerWindow: settings.requestsPerWindow ?? defaults.requestsPerWindow,
    windowMs: settings.windowMs ?? defaults.windowMs,
    readLimit: settings.readLimit === undefined ? defaults.readLimit : settings.readLimit,
    writeLimit: settings.writeLimit === undefined ? defaults.writeLimit : settings.writeLimit,
    windowStrategy: settings.windowStrategy ?? defaults.windowStrategy,
    warningThreshold: settings.warningThreshold ?? defaults.warningThreshold,
  };
}
