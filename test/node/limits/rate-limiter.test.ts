import { describe, expect, it } from 'vitest';

import { combineOverrides, type RateLimitOverride } from '../../../src/limits/overrides';
import type { RateLimitConfig } from '../../../src/limits/rate-limit-config';
import { effectiveLimits, RateLimiter, requestKind } from '../../../src/limits/rate-limiter';

const T0 = 1_700_000_040_000; // a multiple of 60 s
const base: RateLimitConfig = {
  requestsPerWindow: 10,
  windowMs: 60_000,
  readLimit: null,
  writeLimit: null,
  windowStrategy: 'fixed',
  warningThreshold: 0.8,
};

function override(fields: Partial<RateLimitOverride>): RateLimitOverride {
  return { id: 'o1', type: 'increase', multiplier: 2, expiresAt: null, reason: 'test', createdAt: T0, ...fields };
}

const none = { kind: 'none' } as const;

describe('requestKind', () => {
  it('treats GET and HEAD as reads and the rest as writes', () => {
    expect(['GET', 'head', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(requestKind)).toEqual([
      'read',
      'read',
      'write',
      'write',
      'write',
      'write',
      'write',
    ]);
  });
});

describe('RateLimiter', () => {
  it('caps the total even when read and write limits are higher', () => {
    const config = { ...base, requestsPerWindow: 3, readLimit: 100, writeLimit: 100 };
    const limiter = new RateLimiter();
    const limits = effectiveLimits(config, none);
    const results = ['read', 'write', 'read', 'read'].map(
      (kind) => limiter.consume(kind as 'read' | 'write', config, limits, T0).allowed,
    );
    expect(results).toEqual([true, true, true, false]);
  });

  it('limits reads and writes apart', () => {
    const config = { ...base, readLimit: 2, writeLimit: 1 };
    const limiter = new RateLimiter();
    const limits = effectiveLimits(config, none);
    expect(limiter.consume('write', config, limits, T0).allowed).toBe(true);
    const secondWrite = limiter.consume('write', config, limits, T0);
    expect(secondWrite.allowed).toBe(false);
    if (!secondWrite.allowed) expect(secondWrite.rejectedBy).toBe('write');
    expect(limiter.consume('read', config, limits, T0).allowed).toBe(true);
    expect(limiter.consume('read', config, limits, T0).allowed).toBe(true);
    expect(limiter.consume('read', config, limits, T0).allowed).toBe(false);
  });

  it('counts reads and writes in the usage whether or not they have limits', () => {
    const limiter = new RateLimiter();
    const limits = effectiveLimits(base, none);
    for (const kind of ['read', 'read', 'write'] as const) limiter.consume(kind, base, limits, T0);
    const usage = limiter.usage(base, limits, T0 + 1);
    expect(usage.used).toBe(3);
    expect(usage.remaining).toBe(7);
    expect(usage.percentUsed).toBe(30);
    expect(usage.windowResetsAt).toBe(T0 + 60_000);
    expect(usage.reads).toEqual({ used: 2, limit: null, remaining: null });
    expect(usage.writes).toEqual({ used: 1, limit: null, remaining: null });
  });

  it('rejects everything under a block, also when written as increase with multiplier 0', () => {
    for (const blocking of [override({ type: 'block', multiplier: 0 }), override({ type: 'increase', multiplier: 0 })]) {
      const effect = combineOverrides([blocking], T0);
      expect(effect.kind).toBe('block');
      const limits = effectiveLimits(base, effect);
      expect(limits).toEqual({ total: 0, read: null, write: null });
      const decision = new RateLimiter().consume('read', base, limits, T0);
      expect(decision.allowed).toBe(false);
      if (!decision.allowed) expect(decision.retryAt).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it('multiplies every limit under an increase and rounds down', () => {
    const config = { ...base, readLimit: 5, writeLimit: 3 };
    const limits = effectiveLimits(config, combineOverrides([override({ multiplier: 1.5 })], T0));
    expect(limits).toEqual({ total: 15, read: 7, write: 4 });
  });

  it('returns the tightest scope in the headline', () => {
    const config = { ...base, writeLimit: 2 };
    const limiter = new RateLimiter();
    const limits = effectiveLimits(config, none);
    const decision = limiter.consume('write', config, limits, T0);
    expect(decision.headline).toEqual({ scope: 'write', limit: 2, remaining: 1, resetAt: T0 + 60_000 });
    expect(limiter.peek('read', config, limits, T0)).toEqual({ scope: 'total', limit: 10, remaining: 9, resetAt: T0 + 60_000 });
  });

  it('warns once per window when the threshold is crossed', () => {
    const limiter = new RateLimiter();
    const limits = effectiveLimits(base, none);
    const warningsAt = (t: number) => {
      const decision = limiter.consume('read', base, limits, t);
      return decision.allowed ? decision.warnings : [];
    };
    const first = [1, 2, 3, 4, 5, 6, 7].map((i) => warningsAt(T0 + i));
    expect(first.every((warnings) => warnings.length === 0)).toBe(true);
    expect(warningsAt(T0 + 8)).toEqual([{ scope: 'total', used: 8, limit: 10 }]);
    expect(warningsAt(T0 + 9)).toEqual([]);
    for (let i = 0; i < 7; i++) warningsAt(T0 + 60_000 + i);
    expect(warningsAt(T0 + 60_007)).toEqual([{ scope: 'total', used: 8, limit: 10 }]);
  });

  it('starts empty windows when the strategy or window changes', () => {
    const limiter = new RateLimiter();
    const limits = effectiveLimits(base, none);
    for (let i = 0; i < 10; i++) limiter.consume('read', base, limits, T0);
    expect(limiter.consume('read', base, limits, T0).allowed).toBe(false);
    const sliding = { ...base, windowStrategy: 'sliding' as const };
    expect(limiter.consume('read', sliding, limits, T0).allowed).toBe(true);
  });

  it('keeps separate limiters independent', () => {
    const exhausted = new RateLimiter();
    const other = new RateLimiter();
    const limits = effectiveLimits(base, none);
    for (let i = 0; i < 11; i++) exhausted.consume('write', base, limits, T0);
    expect(exhausted.consume('write', base, limits, T0).allowed).toBe(false);
    expect(other.consume('write', base, limits, T0).allowed).toBe(true);
  });
});

describe('combineOverrides', () => {
  it('leaves out expired overrides', () => {
    const expired = override({ type: 'block', multiplier: 0, expiresAt: T0 + 1000 });
    expect(combineOverrides([expired], T0 + 999).kind).toBe('block');
    expect(combineOverrides([expired], T0 + 1000)).toEqual({ kind: 'none' });
  });

  it('lets a block win over a bypass and a bypass over an increase', () => {
    const increase = override({ id: 'a', multiplier: 3 });
    const bypass = override({ id: 'b', type: 'bypass', multiplier: null });
    const block = override({ id: 'c', type: 'block', multiplier: 0 });
    expect(combineOverrides([increase, bypass, block], T0).kind).toBe('block');
    expect(combineOverrides([increase, bypass], T0).kind).toBe('bypass');
    expect(combineOverrides([increase, override({ id: 'd', multiplier: 5 })], T0)).toMatchObject({ kind: 'scale', multiplier: 5 });
  });
});
