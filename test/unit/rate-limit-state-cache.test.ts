import { describe, expect, it } from 'vitest';

import type { RateLimitOverride } from '../../src/limits/overrides';
import type { RateLimitConfig } from '../../src/limits/rate-limit-config';
import { RateLimitStateCache, rateLimitStateAt, type StoredRateLimits } from '../../src/limits/rate-limit-state';

const defaults: RateLimitConfig = {
  requestsPerWindow: 100,
  windowMs: 60_000,
  readLimit: null,
  writeLimit: null,
  windowStrategy: 'sliding',
  warningThreshold: 0.8,
};

function override(id: string, multiplier: number, expiresAt: number | null): RateLimitOverride {
  return { id, type: 'increase', multiplier, expiresAt, reason: 'test', createdAt: 0 };
}

describe('rate-limit state cache', () => {
  const stored: StoredRateLimits = { settings: null, overrides: [override('a', 2, 1_000), override('b', 3, 2_000), override('c', 1.5, null)] };

  it('matches the state computed anew at every time', () => {
    const cache = new RateLimitStateCache();
    // Forward through both expiries, then back, as a test clock may step.
    for (const now of [0, 999, 1_000, 1_500, 1_999, 2_000, 5_000, 1_999, 500, 2_500]) {
      expect(cache.stateAt(stored, defaults, now)).toEqual(rateLimitStateAt(stored, defaults, now));
    }
  });

  it('reuses the state between expiries', () => {
    const cache = new RateLimitStateCache();
    const first = cache.stateAt(stored, defaults, 1_000);
    expect(cache.stateAt(stored, defaults, 1_999)).toBe(first);
    expect(cache.stateAt(stored, defaults, 2_000)).not.toBe(first);
    expect(cache.stateAt(stored, defaults, 2_000).limits.total).toBe(150);
  });

  it('computes anew for other stored rows', () => {
    const cache = new RateLimitStateCache();
    cache.stateAt(stored, defaults, 0);
    const lifted: StoredRateLimits = { settings: null, overrides: [] };
    expect(cache.stateAt(lifted, defaults, 0).limits.total).toBe(100);
  });
});
