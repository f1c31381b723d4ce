import { describe, expect, it } from 'vitest';

import { expectError } from '../helpers';
import { ADMIN_TOKEN, adminRequest, configureRateLimit, rateLimitHeaders, T0, tenantRequest, useManualClock } from './helpers';

/** Largest time a JavaScript `Date` can hold, in ms since the Unix epoch. */
const MAX_DATE_MS = 8_640_000_000_000_000;

describe('override expiresAt bounds', () => {
  it('rejects a time past the Date range with 400', async () => {
    const tenant = 'edge-expiry-range';
    await useManualClock(tenant);
    const response = await adminRequest(tenant, 'POST', '/overrides', {
      type: 'increase',
      multiplier: 2,
      expiresAt: MAX_DATE_MS + 1,
      reason: 'far future',
    });
    const error = await expectError(response, 400, 'VALIDATION_FAILED');
    expect(error.field).toBe('expiresAt');

    const listed = (await (await adminRequest(tenant, 'GET', '/overrides')).json()) as { count: number };
    expect(listed.count).toBe(0);
  });

  it('accepts the last time a Date can hold', async () => {
    const tenant = 'edge-expiry-max';
    await useManualClock(tenant);
    const response = await adminRequest(tenant, 'POST', '/overrides', {
      type: 'increase',
      multiplier: 2,
      expiresAt: MAX_DATE_MS,
      reason: 'far future',
    });
    expect(response.status, await response.clone().text()).toBe(201);
    expect(((await response.json()) as { expiresAt: string }).expiresAt).toBe(new Date(MAX_DATE_MS).toISOString());
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
    expect(rateLimitHeaders(response)).toMatchObject({ limit: '0', remaining: '0' });
  });

  it('send a finite Retry-After when an increase rounds the limit down to 0', async () => {
    const tenant = 'edge-fraction-zero';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 5, windowMs: 60_000 });
    const override = await adminRequest(tenant, 'POST', '/overrides', { type: 'increase', multiplier: 0.1, expiresAt: T0 + 20_000, reason: 'throttle' });
    expect(override.status).toBe(201);

    const response = await tenantRequest(tenant, '/things');
    const error = await expectError(response, 429, 'RATE_LIMITED');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After ${response.headers.get('retry-after')}`).toBe(true);
    expect(error.retryAfterSeconds).toBe(retryAfter);
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
