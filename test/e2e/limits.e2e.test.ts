import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEV_ADMIN_TOKEN, type DevServer, removeStateDir, startDevServer } from './harness/wrangler-dev';

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer();
});

afterAll(async () => {
  await server?.stop();
  if (server) removeStateDir(server.persistDir);
});

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return server.request(null, path, {
    method,
    headers: {
      authorization: `Bearer ${DEV_ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function expectStatus(response: Response, status: number): Promise<unknown> {
  const text = await response.text();
  expect(response.status, `${text}\n${server.output()}`).toBe(status);
  return text === '' ? null : JSON.parse(text);
}

describe('limits under wrangler dev', () => {
  it('answers 429 with rate-limit headers once the limit is used up', async () => {
    // A one-hour sliding log, so the test never straddles a window boundary.
    await expectStatus(
      await admin('PUT', '/admin/tenants/e2e-rate/rate-limit', { requestsPerWindow: 2, windowMs: 3_600_000, windowStrategy: 'sliding-log' }),
      200,
    );
    const first = await server.request('e2e-rate', '/things');
    await expectStatus(first, 200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    await expectStatus(await server.request('e2e-rate', '/things'), 200);

    const limited = await server.request('e2e-rate', '/things');
    const body = (await expectStatus(limited, 429)) as { error: { code: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3_500);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(3_500);
  });

  it('blocks a tenant with an override and serves it again once lifted', async () => {
    await expectStatus(await server.request('e2e-block', '/things'), 200);
    const override = (await expectStatus(
      await admin('POST', '/admin/tenants/e2e-block/overrides', { type: 'block', reason: 'Tenant offboarding' }),
      201,
    )) as { id: string };

    const blocked = await server.request('e2e-block', '/things');
    await expectStatus(blocked, 429);
    expect(blocked.headers.get('x-ratelimit-limit')).toBe('0');
    expect(blocked.headers.get('retry-after')).not.toBeNull();
    const listed = (await expectStatus(await admin('GET', '/admin/overrides'), 200)) as { items: Array<{ id: string; tenant: string }> };
    expect(listed.items).toContainEqual(expect.objectContaining({ id: override.id, tenant: 'e2e-block' }));

    await expectStatus(await admin('DELETE', `/admin/tenants/e2e-block/overrides/${override.id}`), 200);
    await expectStatus(await server.request('e2e-block', '/things'), 200);
    const after = (await expectStatus(await admin('GET', '/admin/overrides'), 200)) as { items: Array<{ id: string }> };
    expect(after.items.map((item) => item.id)).not.toContain(override.id);
  });

  it('refuses a write past the plan quota with 403', async () => {
    await expectStatus(await admin('PUT', '/admin/tenants/e2e-quota/config', { plan: 'starter', limits: { users: 1 } }), 200);
    const created = await server.request('e2e-quota', '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ada', type: 'User' }),
    });
    await expectStatus(created, 201);
    const refused = await server.request('e2e-quota', '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'grace', type: 'User' }),
    });
    const body = (await expectStatus(refused, 403)) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', resource: 'users', limit: 1, current: 1 });
    expect(refused.headers.get('x-ratelimit-limit')).not.toBeNull();
    await expectStatus(await server.request('e2e-quota', '/things/ada'), 200);
    const usage = (await expectStatus(await server.request('e2e-quota', '/usage'), 200)) as { usage: { users: { current: number } } };
    expect(usage.usage.users.current).toBe(1);
  });
});
