import { describe, expect, it } from 'vitest';

import { jsonRequest } from './harness/json-client';
import { useDevServer } from './harness/use-dev-server';
import { DEV_ADMIN_TOKEN } from './harness/wrangler-dev';

// A short push interval, so /admin/metrics shows a tenant's changes within a second.
const server = useDevServer({ vars: { METRICS_PUSH_INTERVAL_MS: '100' } });
const ADMIN = { authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

async function scrapeAll(): Promise<string> {
  const response = await server.request(null, '/admin/metrics', { headers: ADMIN });
  expect(response.status).toBe(200);
  return response.text();
}

/** Scrapes /admin/metrics until `done` accepts the text, for at most `timeoutMs`; returns the last scrape. */
async function scrapeUntil(done: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = await scrapeAll();
  while (!done(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    text = await scrapeAll();
  }
  return text;
}

describe('hostile traffic under wrangler dev', () => {
  it('ignores forwarding headers that name another tenant', async () => {
    const created = await jsonRequest(server, 'hostile-victim', 'POST', '/things', { json: { id: 'secret', type: 'Secret' } });
    expect(created.status).toBe(201);

    const forged = await jsonRequest(server, 'hostile-attacker', 'GET', '/things/secret', {
      headers: {
        'x-forwarded-host': 'hostile-victim.localhost',
        'x-original-host': 'hostile-victim.localhost',
        forwarded: 'host=hostile-victim.localhost',
        'x-tenantlog-tenant': 'hostile-victim',
      },
    });
    expect(forged.status).toBe(404);
    expect(forged.headers.get('x-tenant-id')).toBe('hostile-attacker');
  });

  it('rejects an override expiry past the Date range with 400', async () => {
    const response = await jsonRequest(server, null, 'POST', '/admin/tenants/hostile-expiry/overrides', {
      headers: ADMIN,
      json: { type: 'increase', multiplier: 2, expiresAt: 9_000_000_000_000_000, reason: 'far future' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'expiresAt' });
  });

  it('sends a whole-second Retry-After for a read limit of 0', async () => {
    const settings = await jsonRequest(server, null, 'PUT', '/admin/tenants/hostile-zero/rate-limit', {
      headers: ADMIN,
      json: { readLimit: 0, windowMs: 60_000 },
    });
    expect(settings.status).toBe(200);

    const limited = await jsonRequest(server, 'hostile-zero', 'GET', '/things');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.body.error.retryAfterSeconds).toBe(60);
  });

  it('exports only the current display name', async () => {
    for (const displayName of ['Before Rename', 'After Rename']) {
      const response = await jsonRequest(server, null, 'PUT', '/admin/tenants/hostile-rename/monitoring', { headers: ADMIN, json: { displayName } });
      expect(response.status).toBe(200);
      expect((await jsonRequest(server, 'hostile-rename', 'GET', '/stats')).status).toBe(200);
      await scrapeUntil((text) => text.includes(`display_name="${displayName}"`));
    }
    const text = await scrapeUntil((scrape) => !scrape.includes('display_name="Before Rename"'));
    const lines = text.split('\n').filter((line) => line.startsWith('dotdo_tenant_info{') && line.includes('namespace="hostile-rename"'));
    expect(lines).toEqual(['dotdo_tenant_info{display_name="After Rename",namespace="hostile-rename"} 1']);
  });

  it('keeps list filters out of the entity type labels', async () => {
    const probe = `probe-${'z'.repeat(2000)}`;
    const listed = await jsonRequest(server, 'hostile-labels', 'GET', `/things?type=${probe}`);
    expect(listed.status).toBe(200);
    const metrics = await server.request('hostile-labels', '/metrics');
    const text = await metrics.text();
    expect(text).not.toContain(probe);
    expect(text).toContain('dotdo_reads_total{entity_type="other",namespace="hostile-labels",operation_type="list",status="ok"} 1');
  });

  it('runs one of many concurrent requests with the same key', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        jsonRequest(server, 'hostile-idempotent', 'POST', '/things', { headers: { 'idempotency-key': 'order-1' }, json: { type: 'Order', data: { total: 1 } } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const stats = await jsonRequest(server, 'hostile-idempotent', 'GET', '/stats');
    expect(stats.body).toMatchObject({ thingCount: 1, eventCount: 1 });
  });
});
