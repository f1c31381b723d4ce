import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import {
  adminMetricValue,
  adminRequest,
  configureRateLimit,
  createThing,
  eventTypesOf,
  rateLimitHeaders,
  statusesOf,
  T0,
  tenantRequest,
  tenantStub,
  useManualClock,
} from './helpers';

describe('rate-limit headers', () => {
  it('are on successes, errors, 404s and 405s', async () => {
    const tenant = 'rl-headers';
    await useManualClock(tenant, T0 + 15_000);
    await configureRateLimit(tenant, { requestsPerWindow: 10, windowMs: 60_000, windowStrategy: 'fixed' });

    const responses = [
      await createThing(tenant, { id: 'a', type: 'T' }),
      await tenantRequest(tenant, '/things/a'),
      await tenantRequest(tenant, '/things/missing'),
      await tenantRequest(tenant, '/no-such-route'),
      await tenantRequest(tenant, '/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      await tenantRequest(tenant, '/stats', { method: 'DELETE' }),
      await tenantRequest(tenant, '/things/a', { method: 'HEAD' }),
    ];
    expect(responses.map((response) => response.status)).toEqual([201, 200, 404, 404, 400, 405, 200]);
    responses.forEach((response, index) => {
      // 45 s remain of the fixed window that started at T0.
      expect(rateLimitHeaders(response)).toEqual({ limit: '10', remaining: String(9 - index), reset: '45' });
    });
  });

  it('are on admin responses without counting them', async () => {
    const tenant = 'rl-admin-headers';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 2, windowStrategy: 'fixed' });
    for (let i = 0; i < 5; i++) {
      const response = await adminRequest(tenant, 'GET', '/rate-limit');
      expect(response.status).toBe(200);
      expect(rateLimitHeaders(response)).toMatchObject({ limit: '2', remaining: '2' });
    }
    expect(await statusesOf(tenant, 3)).toEqual([200, 200, 429]);
  });
});

describe('429 responses', () => {
  it('carry Retry-After, the headers and a JSON error, and change no data', async () => {
    const tenant = 'rl-429';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowMs: 10_000, windowStrategy: 'fixed' });
    expect((await createThing(tenant, { id: 'first', type: 'T' })).status).toBe(201);
    const eventsBefore = await eventTypesOf(tenant);

    clock.advance(2_500);
    const limited = await createThing(tenant, { id: 'second', type: 'T' }, { 'idempotency-key': 'k-429' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('8');
    expect(rateLimitHeaders(limited)).toEqual({ limit: '1', remaining: '0', reset: '8' });
    expect(limited.headers.get('content-type')).toContain('application/json');
    const body = (await limited.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', scope: 'total', limit: 1, windowMs: 10_000, retryAfterSeconds: 8 });

    expect(await eventTypesOf(tenant)).toEqual(eventsBefore);
    clock.advance(7_500);
    expect((await tenantRequest(tenant, '/things/second')).status).toBe(404);
    // The idempotency key was not consumed by the rejected request.
    expect((await createThing(tenant, { id: 'second', type: 'T' }, { 'idempotency-key': 'k-429' })).status).toBe(429);
  });

  it('come before the body is parsed', async () => {
    const tenant = 'rl-429-body';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowStrategy: 'fixed' });
    await statusesOf(tenant, 1);
    // Malformed JSON would be a 400 if the body were parsed first.
    const response = await tenantRequest(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(429);
  });
});

describe('strategies with a limit of 1 per 10 s', () => {
  const cases = [
    ['fixed', [200, 429, 200]],
    ['sliding-log', [200, 429, 200]],
    // Sliding: at 10.001 s the weighted count is 1 × 9999/10000 = 0.9999 < 1.
    ['sliding', [200, 429, 200]],
  ] as const;

  for (const [strategy, expected] of cases) {
    it(`${strategy} answers requests at 0 s, 1 s and 10.001 s with ${expected.join(', ')}`, async () => {
      const tenant = `rl-one-${strategy}`;
      const clock = await useManualClock(tenant);
      await configureRateLimit(tenant, { requestsPerWindow: 1, windowMs: 10_000, windowStrategy: strategy });
      const statuses: number[] = [];
      for (const at of [0, 1_000, 10_001]) {
        clock.set(T0 + at);
        statuses.push(...(await statusesOf(tenant, 1)));
      }
      expect(statuses).toEqual(expected);
    });
  }

  it('sliding still rejects a second request right after 10.001 s', async () => {
    const tenant = 'rl-one-sliding-again';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowMs: 10_000, windowStrategy: 'sliding' });
    await statusesOf(tenant, 1);
    clock.set(T0 + 10_001);
    expect(await statusesOf(tenant, 2)).toEqual([200, 429]);
    // At 19.999 s: 1 × 1/10000 + 1. At 20 s the window [10 s, 20 s) with its one
    // request becomes the previous one at full weight; 1 ms later it weighs 0.9999.
    clock.set(T0 + 19_999);
    expect(await statusesOf(tenant, 1)).toEqual([429]);
    clock.set(T0 + 20_000);
    expect(await statusesOf(tenant, 1)).toEqual([429]);
    clock.set(T0 + 20_001);
    expect(await statusesOf(tenant, 1)).toEqual([200]);
  });
});

describe('strategies with a limit of 5', () => {
  for (const strategy of ['fixed', 'sliding', 'sliding-log'] as const) {
    it(`${strategy} gives exactly five successes in each window, after roll-over too`, async () => {
      const tenant = `rl-five-${strategy}`;
      const clock = await useManualClock(tenant);
      await configureRateLimit(tenant, { requestsPerWindow: 5, windowMs: 10_000, windowStrategy: strategy });
      const successes: number[] = [];
      for (let window = 0; window < 3; window++) {
        let admitted = 0;
        // Eight requests spread over the window: 0 s, 1.25 s, ..., 8.75 s into it.
        for (let i = 0; i < 8; i++) {
          clock.set(T0 + window * 10_000 + i * 1_250);
          const [status] = await statusesOf(tenant, 1);
          if (status === 200) admitted += 1;
          else expect(status).toBe(429);
        }
        successes.push(admitted);
      }
      expect(successes).toEqual([5, 5, 5]);
    });
  }

  it('fixed admits the fifth, rejects the sixth and the last ms, and rolls over', async () => {
    const tenant = 'rl-five-boundaries';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 5, windowMs: 10_000, windowStrategy: 'fixed' });
    const fifth = (await statusesOf(tenant, 4), await tenantRequest(tenant, '/things'));
    expect(fifth.status).toBe(200);
    expect(rateLimitHeaders(fifth).remaining).toBe('0');
    expect(await statusesOf(tenant, 1)).toEqual([429]);
    clock.set(T0 + 9_999);
    const last = await tenantRequest(tenant, '/things');
    expect(last.status).toBe(429);
    expect(last.headers.get('retry-after')).toBe('1');
    clock.set(T0 + 10_000);
    const rolled = await tenantRequest(tenant, '/things');
    expect(rolled.status).toBe(200);
    expect(rateLimitHeaders(rolled)).toEqual({ limit: '5', remaining: '4', reset: '10' });
  });

  it('sliding-log frees a slot exactly one window after each request', async () => {
    const tenant = 'rl-log-slots';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 2, windowMs: 10_000, windowStrategy: 'sliding-log' });
    await statusesOf(tenant, 1);
    clock.set(T0 + 4_000);
    await statusesOf(tenant, 1);
    clock.set(T0 + 9_999);
    const full = await tenantRequest(tenant, '/things');
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('1');
    clock.set(T0 + 10_000);
    expect(await statusesOf(tenant, 2)).toEqual([200, 429]);
    clock.set(T0 + 14_000);
    expect(await statusesOf(tenant, 2)).toEqual([200, 429]);
  });
});

describe('concurrency and isolation', () => {
  it('concurrent requests to one tenant never exceed the limit', async () => {
    const tenant = 'rl-concurrent';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 7, windowStrategy: 'sliding-log' });
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0 ? tenantRequest(tenant, '/things') : createThing(tenant, { id: `c${i}`, type: 'T' }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(23);
    expect(statuses.filter((status) => status !== 429)).toHaveLength(7);
  });

  it('one tenant exhausting its limit never limits another', async () => {
    await useManualClock('rl-noisy');
    await useManualClock('rl-quiet');
    await configureRateLimit('rl-noisy', { requestsPerWindow: 2, windowStrategy: 'fixed' });
    await configureRateLimit('rl-quiet', { requestsPerWindow: 2, windowStrategy: 'fixed' });
    expect(await statusesOf('rl-noisy', 4)).toEqual([200, 200, 429, 429]);
    expect(await statusesOf('rl-quiet', 2)).toEqual([200, 200]);
  });
});

describe('read and write limits', () => {
  it('count reads and writes apart while requestsPerWindow caps the total', async () => {
    const tenant = 'rl-read-write';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 4, readLimit: 10, writeLimit: 1, windowStrategy: 'fixed' });
    expect((await createThing(tenant, { id: 'w1', type: 'T' })).status).toBe(201);
    const secondWrite = await createThing(tenant, { id: 'w2', type: 'T' });
    expect(secondWrite.status).toBe(429);
    expect(((await secondWrite.json()) as { error: { scope: string } }).error.scope).toBe('write');
    expect(rateLimitHeaders(secondWrite)).toMatchObject({ limit: '1', remaining: '0' });
    // Reads have 10 of their own, but only 3 of the total of 4 remain.
    expect(await statusesOf(tenant, 4)).toEqual([200, 200, 200, 429]);

    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      used: 4,
      limit: 4,
      remaining: 0,
      percentUsed: 100,
      windowResetsAt: new Date(T0 + 60_000).toISOString(),
      reads: { used: 3, limit: 10, remaining: 7 },
      writes: { used: 1, limit: 1, remaining: 0 },
    });
  });

  it('usage counts reads and writes when no read or write limit is set', async () => {
    const tenant = 'rl-usage-plain';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 10, windowStrategy: 'sliding-log' });
    await createThing(tenant, { id: 'a', type: 'T' });
    await statusesOf(tenant, 2);
    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      used: 3,
      limit: 10,
      remaining: 7,
      percentUsed: 30,
      reads: { used: 2, limit: null, remaining: null },
      writes: { used: 1, limit: null, remaining: null },
    });
  });
});

describe('warning threshold', () => {
  it('records one warning per window', async () => {
    const tenant = 'rl-warning';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 10, warningThreshold: 0.5, windowStrategy: 'fixed' });
    const warnings = async () =>
      (await adminMetricValue(tenant, 'dotdo_rate_limit_warnings_total{namespace="rl-warning",scope="total",tenant="rl-warning"}')) ?? 0;
    await statusesOf(tenant, 4);
    expect(await warnings()).toBe(0);
    await statusesOf(tenant, 1);
    expect(await warnings()).toBe(1);
    await statusesOf(tenant, 5);
    expect(await warnings()).toBe(1);
    clock.advance(60_000);
    await statusesOf(tenant, 5);
    expect(await warnings()).toBe(2);
  });
});

describe('metrics', () => {
  it('sets the remaining and total gauges and counts limited requests', async () => {
    const tenant = 'rl-metrics';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 3, windowStrategy: 'fixed' });
    await statusesOf(tenant, 5);
    const snapshot = {
      remaining: await adminMetricValue(tenant, 'rate_limit_remaining{tenant="rl-metrics"}'),
      total: await adminMetricValue(tenant, 'rate_limit_total{tenant="rl-metrics"}'),
      limited: await adminMetricValue(tenant, 'dotdo_rate_limited_requests_total{namespace="rl-metrics",scope="total",tenant="rl-metrics"}'),
    };
    expect(snapshot).toEqual({ remaining: 0, total: 3, limited: 2 });
  });
});
