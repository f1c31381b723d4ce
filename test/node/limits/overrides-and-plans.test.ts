import { describe, expect, it } from 'vitest';

import { TenantlogError } from '../../../src/errors';
import { parseOverrideRequest } from '../../../src/limits/overrides';
import { calendarMonth, checkLimit, PLANS } from '../../../src/limits/plans';

const NOW = Date.UTC(2026, 3, 30, 23, 59, 59);

function validationField(body: unknown): unknown {
  try {
    parseOverrideRequest(body, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(TenantlogError);
    expect((error as TenantlogError).code).toBe('VALIDATION_FAILED');
    return (error as TenantlogError).details?.field;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('parseOverrideRequest', () => {
  it('reads an increase with an ISO or numeric expiry', () => {
    expect(parseOverrideRequest({ type: 'increase', multiplier: 2, expiresAt: NOW + 1000, reason: ' migration ' }, NOW)).toEqual({
      type: 'increase',
      multiplier: 2,
      expiresAt: NOW + 1000,
      reason: 'migration',
    });
    const iso = parseOverrideRequest({ type: 'increase', multiplier: 2, expiresAt: '2026-05-01T00:00:00Z', reason: 'r' }, NOW);
    expect(iso.expiresAt).toBe(Date.UTC(2026, 4, 1));
  });

  it('turns any multiplier of 0 into a block', () => {
    for (const type of ['increase', 'bypass', 'block']) {
      expect(parseOverrideRequest({ type, multiplier: 0, reason: 'incident' }, NOW)).toEqual({
        type: 'block',
        multiplier: 0,
        expiresAt: null,
        reason: 'incident',
      });
    }
    expect(parseOverrideRequest({ type: 'block', reason: 'offboarding' }, NOW).multiplier).toBe(0);
  });

  it('reads a bypass without multiplier', () => {
    expect(parseOverrideRequest({ type: 'bypass', reason: 'SLA' }, NOW)).toEqual({
      type: 'bypass',
      multiplier: null,
      expiresAt: null,
      reason: 'SLA',
    });
  });

  it('rejects invalid overrides naming the field', () => {
    expect(validationField({ type: 'increase', reason: 'r' })).toBe('multiplier');
    expect(validationField({ type: 'increase', multiplier: -1, reason: 'r' })).toBe('multiplier');
    expect(validationField({ type: 'bypass', multiplier: 2, reason: 'r' })).toBe('multiplier');
    expect(validationField({ type: 'block', multiplier: 2, reason: 'r' })).toBe('multiplier');
    expect(validationField({ type: 'increase', multiplier: 2 })).toBe('reason');
    expect(validationField({ type: 'increase', multiplier: 2, reason: '  ' })).toBe('reason');
    expect(validationField({ type: 'pause', reason: 'r' })).toBe('type');
    expect(validationField({ type: 'bypass', reason: 'r', expiresAt: NOW })).toBe('expiresAt');
    expect(validationField({ type: 'bypass', reason: 'r', expiresAt: 'tomorrow' })).toBe('expiresAt');
    expect(validationField({ type: 'bypass', reason: 'r', extra: 1 })).toBe('body');
    expect(validationField({ type: 'increase', multiplier: 1e-9, reason: 'r' })).toBe('multiplier');
    expect(validationField({ type: 'increase', multiplier: 0.5, reason: 'r' })).toBe('multiplier');
  });

  it('accepts an increase of exactly 1', () => {
    expect(parseOverrideRequest({ type: 'increase', multiplier: 1, reason: 'r' }, NOW).multiplier).toBe(1);
  });

  it('caps expiresAt at the end of year 9999', () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    expect(parseOverrideRequest({ type: 'bypass', reason: 'r', expiresAt: last }, NOW).expiresAt).toBe(last);
    expect(parseOverrideRequest({ type: 'bypass', reason: 'r', expiresAt: '9999-12-31T23:59:59.999Z' }, NOW).expiresAt).toBe(last);
    for (const expiresAt of [last + 1, 8_640_000_000_000_000, '9999-12-31T23:59:59-01:00', -1]) {
      expect(validationField({ type: 'bypass', reason: 'r', expiresAt }), String(expiresAt)).toBe('expiresAt');
    }
  });

  it('names fractional expiresAt milliseconds', () => {
    expect(() => parseOverrideRequest({ type: 'bypass', reason: 'r', expiresAt: NOW + 1000.5 }, NOW)).toThrow(
      /not a whole number of milliseconds/,
    );
  });
});

describe('checkLimit', () => {
  it('allows while current plus amount stays within the limit', () => {
    expect(checkLimit('users', 5, 4, 1)).toEqual({ allowed: true, current: 4, limit: 5, remaining: 1 });
    expect(checkLimit('users', 5, 5, 1)).toEqual({ allowed: false, current: 5, limit: 5, remaining: 0 });
    expect(checkLimit('apiCalls', 10, 12, 1)).toEqual({ allowed: false, current: 12, limit: 10, remaining: 0 });
  });

  it('treats -1 as unlimited', () => {
    expect(checkLimit('users', -1, 1_000_000, 10)).toEqual({ allowed: true, current: 1_000_000, limit: -1, remaining: null });
  });

  it('converts storage from GB to bytes', () => {
    expect(checkLimit('storage', 5, 4_999_999_999, 1)).toEqual({ allowed: true, current: 4_999_999_999, limit: 5e9, remaining: 1 });
    expect(checkLimit('storage', 0.000002, 1500, 600)).toMatchObject({ allowed: false, limit: 2000, remaining: 500 });
  });
});

describe('plans', () => {
  it('match the plan table', () => {
    expect(PLANS.starter.limits).toEqual({ users: 5, storage: 5, apiCalls: 10_000 });
    expect(PLANS.pro.limits).toEqual({ users: 25, storage: 50, apiCalls: 100_000 });
    expect(PLANS.enterprise.limits).toEqual({ users: -1, storage: 500, apiCalls: 1_000_000 });
    expect(PLANS.pro.features).toContain('basic-analytics');
    expect(PLANS.enterprise.features).toEqual(expect.arrayContaining(['sso', 'audit-logs', 'api-access']));
  });
});

describe('calendarMonth', () => {
  it('uses UTC months', () => {
    expect(calendarMonth(NOW)).toEqual({ key: '2026-04', start: Date.UTC(2026, 3, 1), end: Date.UTC(2026, 4, 1) });
    expect(calendarMonth(NOW + 1000).key).toBe('2026-05');
    expect(calendarMonth(Date.UTC(2026, 11, 31, 12)).end).toBe(Date.UTC(2027, 0, 1));
  });
});
