import { describe, expect, it } from 'vitest';

import { expectError } from '../helpers';
import { adminRequest, useManualClock } from './helpers';

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
