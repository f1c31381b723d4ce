import { describe, expect, it } from 'vitest';

import { expectError } from '../helpers';
import { ADMIN_TOKEN, adminRequest, configureRateLimit, rateLimitHeaders, T0, tenantRequest, useManualClock } from './helpers';

/** Latest accepted `expiresAt`, the end of year 9999, in ms since the Unix epoch. */
const MAX_EXPIRES_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('override expiresAt bounds', () => {
  it('rejects a time past year 9999 with 400', async () => {
    const tenant = 'edge-expiry-range';
    await useManualClock(tenant);
    for (const expiresAt of [MAX_EXPIRES_AT_MS + 1, 8_640_000_000_000_000]) {
      const response = await adminRequest(tenant, 'POST', '/overrides', { type: 'increase', multiplier: 2, expiresAt, reason: 'far future' });
      const error = await expectError(response, 400, 'VALIDATION_FAILED');
      expect(error.field).toBe('expiresAt');
      expect(error.message).toContain('9999-12-31T23:59:59.999Z');
    }

    const listed = (await (await adminRequest(tenant, 'GET', '/overrides')).json()) as { count: number };
    expect(listed.count).toBe(0);
  });

  it('returns the last accepted time in a form it accepts', async () => {
    const tenant = 'edge-expiry-max';
    await useManualClock(tenant);
    const response = await adminRequest(tenant, 'POST', '/overrides', {
      type: 'increase',
      multiplier: 2,
      expiresAt: MAX_EXPIRES_AT_MS,
      reason: 'far future',
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const expiresAt = ((await response.json()) as { expiresAt: string }).expiresAt;
    expect(expiresAt).toBe('9999-12-31T23:59:59.999Z');

    const again = await adminRequest(tenant, 'POST', '/overrides', { type: 'increase', multiplier: 3, expiresAt, reason: 'same time' });
    expect(again.status, await again.clone().text()).toBe(201);
  });

  it('names fractional milliseconds', async () => {
    const tenant = 'edge-expiry-fraction';
    await useManualClock(tenant);
    const response = await adminRequest(tenant, 'POST', '/overrides', { type: 'bypass', expiresAt: T0 + 1000.5, reason: 'fraction' });
    const error = await expectError(response, 400, 'VALIDATION_FAILED');
    expect(error.message).toContain('not a whole number of milliseconds');
  });
});

describe('rate-limit setting bounds', () => {
  it('reports the real cap of requestsPerWindow', async () => {
    const tenant = 'edge-requests-cap';
    for (const requestsPerWindow of [2 ** 53, 1_000_000_001]) {
      const response = await adminRequest(tenant, 'PUT', '/rate-limit', { requestsPerWindow });
      const error = await expectError(response, 400, 'VALIDATION_FAILED');
      expect(error.message).toBe('invalid rate-limit settings: requestsPerWindow must be at most 1000000000');
    }
  });
});

describe('limits of zero without a block', () => {
  it('send a finite Retry-After for a read limit of 0', async () => {
    const tenant = 'edge-read-zero';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { readLimit: 0, windowMs: 30_000 });

    const response = await tenantRequest(tenant, '/things');
    const error = await expectError(response, 429, 'RATE_LIMITED');
    expect(response.headers.get('retry-after')).toBe('30');
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).not.toContain('Infinity');
    expect(rateLimitHeaders(response)).toMatchObject({ limit: '0', remaining: '0', reset: '30' });
  });

  it('reset matches Retry-After for a zero limit under sliding-log', async () => {
    const tenant = 'edge-log-zero';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { readLimit: 0, windowMs: 60_000, windowStrategy: 'sliding-log' });

    const response = await tenantRequest(tenant, '/things');
    await expectError(response, 429, 'RATE_LIMITED');
    expect(response.headers.get('retry-after')).toBe('60');
    expect(rateLimitHeaders(response)).toMatchObject({ limit: '0', remaining: '0', reset: '60' });
  });

  it('reject an increase below 1', async () => {
    const tenant = 'edge-fraction-zero';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 5, windowMs: 60_000, windowStrategy: 'sliding-log' });
    for (const multiplier of [0.1, 1e-9]) {
      const override = await adminRequest(tenant, 'POST', '/overrides', { type: 'increase', multiplier, expiresAt: T0 + 20_000, reason: 'throttle' });
      const error = await expectError(override, 400, 'VALIDATION_FAILED');
      expect(error.field).toBe('multiplier');
    }

    const response = await tenantRequest(tenant, '/things');
    expect(response.status).toBe(200);
    expect(rateLimitHeaders(response)).toMatchObject({ limit: '5', remaining: '4' });
  });
});

describe('storage quota bounds', () => {
  it('rejects a storage quota whose byte count is not a safe integer', async () => {
    const tenant = 'edge-storage-huge';
    const response = await adminRequest(tenant, 'PUT', '/config', { plan: 'starter', limits: { storage: 1e308 } });
    const error = await expectError(response, 400, 'VALIDATION_FAILED');
    expect(error.field).toBe('limits.storage');

    const usage = (await (await tenantRequest(tenant, '/usage')).json()) as { usage: { storage: { limit: unknown } } };
    expect(usage.usage.storage.limit).toBe(5_000_000_000);
  });
});

describe('limits as documented for edge cases', () => {
  it('limit data-plane requests that carry the admin token', async () => {
    const tenant = 'edge-token-data-plane';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1 });
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await tenantRequest(tenant, '/things', { headers })).status).toBe(200);
    await expectError(await tenantRequest(tenant, '/things', { headers }), 429, 'RATE_LIMITED');
    expect((await adminRequest(tenant, 'GET', '/rate-limit')).status).toBe(200);
  });

  it('answer an oversized body with 413 from the edge, without limit headers', async () => {
    const tenant = 'edge-oversized-blocked';
    await useManualClock(tenant);
    expect((await adminRequest(tenant, 'POST', '/overrides', { type: 'block', reason: 'incident' })).status).toBe(201);
    const response = await tenantRequest(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'T', data: 'x'.repeat(1024 * 1024) }),
    });
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(rateLimitHeaders(response)).toEqual({ limit: null, remaining: null, reset: null });
    await expectError(await tenantRequest(tenant, '/things'), 429, 'RATE_LIMITED');
  });
});
