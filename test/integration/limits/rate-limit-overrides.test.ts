import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { OVERRIDE_INDEX_NAME } from '../../../src/limits/override-index';
import { OVERRIDE_INDEX_TASK } from '../../../src/limits/override-index-client';
import {
  ADMIN_TOKEN,
  adminRequest,
  configureRateLimit,
  createThing,
  eventTypesOf,
  rateLimitHeaders,
  statusesOf,
  T0,
  tenantRequest,
  tenantStub,
  useIndexClock,
  useManualClock,
} from './helpers';

interface OverrideView {
  id: string;
  tenant: string;
  type: string;
  multiplier: number | null;
  expiresAt: string | null;
  reason: string;
  active: boolean;
}

async function setOverride(tenant: string, body: Record<string, unknown>): Promise<OverrideView> {
  const response = await adminRequest(tenant, 'POST', '/overrides', body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as OverrideView;
}

async function globalOverrides(query = ''): Promise<OverrideView[]> {
  const response = await SELF.fetch(`http://localhost/admin/overrides${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: OverrideView[] }).items;
}

describe('increase overrides', () => {
  it('multiply the limit until they expire, without a request to lift them', async () => {
    const tenant = 'ov-increase';
    const clock = await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 2, windowMs: 10_000, windowStrategy: 'fixed' });
    const override = await setOverride(tenant, { type: 'increase', multiplier: 2, expiresAt: T0 + 15_000, reason: 'Scheduled data migration' });
    expect(override).toMatchObject({ tenant, type: 'increase', multiplier: 2, expiresAt: new Date(T0 + 15_000).toISOString(), active: true });

    const first = await tenantRequest(tenant, '/things');
    expect(rateLimitHeaders(first)).toMatchObject({ limit: '4', remaining: '3' });
    expect(await statusesOf(tenant, 4)).toEqual([200, 200, 200, 429]);

    clock.set(T0 + 15_000);
    const afterExpiry = await tenantRequest(tenant, '/things');
    expect(rateLimitHeaders(afterExpiry)).toMatchObject({ limit: '2', remaining: '1' });
    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status.overrides).toEqual([]);
    expect(status.override).toBeNull();
    expect(status.limit).toBe(2);
  });
});

describe('block overrides', () => {
  it('block every request until lifted, while admin requests still pass', async () => {
    const tenant = 'ov-block';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 100, windowMs: 60_000, windowStrategy: 'sliding' });
    expect((await createThing(tenant, { id: 'kept', type: 'T' })).status).toBe(201);
    const block = await setOverride(tenant, { type: 'block', reason: 'Security incident - access revoked' });
    expect(block).toMatchObject({ type: 'block', multiplier: 0, expiresAt: null });

    for (const response of [
      await tenantRequest(tenant, '/things/kept'),
      await tenantRequest(tenant, '/health'),
      await createThing(tenant, { id: 'new', type: 'T' }),
    ]) {
      expect(response.status).toBe(429);
      expect(rateLimitHeaders(response)).toEqual({ limit: '0', remaining: '0', reset: '60' });
      expect(response.headers.get('retry-after')).toBe('60');
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 'RATE_LIMITED', blocked: true, limit: 0 });
      expect(String(body.error.message)).not.toContain('Security incident');
      expect(body.error.message).toBe(`tenant ${tenant} is blocked by an operator override; every request is rejected until an operator lifts it`);
    }

    const status = await adminRequest(tenant, 'GET', '/rate-limit');
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ limit: 0, remaining: 0, percentUsed: 100, override: { effect: 'block', id: block.id } });

    const lifted = await adminRequest(tenant, 'DELETE', `/overrides/${block.id}?reason=${encodeURIComponent('incident closed')}`);
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toMatchObject({ lifted: { id: block.id, type: 'block', active: false }, reason: 'incident closed' });
    expect((await tenantRequest(tenant, '/things/kept')).status).toBe(200);
    expect((await tenantRequest(tenant, '/things/new')).status).toBe(404);
  });

  it('treat an increase with multiplier 0 as a block, never as unlimited', async () => {
    const tenant = 'ov-zero';
    await useManualClock(tenant);
    const zero = await setOverride(tenant, { type: 'increase', multiplier: 0, reason: 'Security incident' });
    expect(zero).toMatchObject({ type: 'block', multiplier: 0 });
    expect(await statusesOf(tenant, 3)).toEqual([429, 429, 429]);
  });

  it('report the time left until an expiring block ends', async () => {
    const tenant = 'ov-block-expiring';
    const clock = await useManualClock(tenant);
    await setOverride(tenant, { type: 'block', expiresAt: new Date(T0 + 90_500).toISOString(), reason: 'cool-down' });
    const blocked = await tenantRequest(tenant, '/things');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('91');
    expect(rateLimitHeaders(blocked).reset).toBe('91');
    const body = (await blocked.json()) as { error: { message: string } };
    expect(body.error.message).toBe(
      `tenant ${tenant} is blocked by an operator override; every request is rejected until an operator lifts it or it expires at ${new Date(T0 + 90_500).toISOString()}`,
    );
    clock.set(T0 + 90_500);
    expect(await statusesOf(tenant, 1)).toEqual([200]);
  });

  it('win over a bypass and an increase of the same tenant', async () => {
    const tenant = 'ov-precedence';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowStrategy: 'fixed' });
    await setOverride(tenant, { type: 'increase', multiplier: 10, reason: 'migration' });
    const bypass = await setOverride(tenant, { type: 'bypass', reason: 'Enterprise SLA - unlimited access' });
    expect(await statusesOf(tenant, 5)).toEqual([200, 200, 200, 200, 200]);
    const block = await setOverride(tenant, { type: 'block', reason: 'offboarding' });
    expect(await statusesOf(tenant, 1)).toEqual([429]);
    await adminRequest(tenant, 'DELETE', `/overrides/${block.id}`);
    await adminRequest(tenant, 'DELETE', `/overrides/${bypass.id}`);
    // The increase is left: 10 per window, and the bypassed requests were not counted.
    const response = await tenantRequest(tenant, '/things');
    expect(rateLimitHeaders(response)).toMatchObject({ limit: '10', remaining: '9' });
  });
});

describe('bypass and exempt requests', () => {
  it('a bypass override lifts the limit but keeps the headers', async () => {
    const tenant = 'ov-bypass';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowStrategy: 'fixed' });
    await setOverride(tenant, { type: 'bypass', reason: 'Enterprise SLA' });
    const responses = await Promise.all(Array.from({ length: 5 }, () => tenantRequest(tenant, '/things')));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(rateLimitHeaders(responses[4]!)).toMatchObject({ limit: '1', remaining: '1' });
    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status.exemptBecause).toBe('bypass-override');
  });

  it('tenants in RATE_LIMIT_ADMIN_TENANTS are never limited', async () => {
    const tenant = 'rl-internal-admin';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 1, windowStrategy: 'fixed' });
    expect(await statusesOf(tenant, 4)).toEqual([200, 200, 200, 200]);
    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status.exemptBecause).toBe('admin-tenant');
  });
});

describe('override endpoints', () => {
  it('record config and overrides as events of the tenant log', async () => {
    const tenant = 'ov-events';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 50 });
    const override = await setOverride(tenant, { type: 'increase', multiplier: 3, reason: 'launch' });
    await adminRequest(tenant, 'DELETE', `/overrides/${override.id}`);
    expect(await eventTypesOf(tenant)).toEqual(['ratelimit.configured', 'ratelimit.override.set', 'ratelimit.override.lifted']);
    const events = await runInDurableObject(tenantStub(tenant), (instance) => instance.store.log.readAfter(tenant, 0, 10));
    expect(events[0]!.payload).toEqual({ settings: { requestsPerWindow: 50 } });
    expect(events[1]!.payload).toEqual({ id: override.id, type: 'increase', multiplier: 3, expiresAt: null, reason: 'launch' });
    expect(events[2]!.payload).toEqual({ id: override.id, reason: null });
    expect(events.every((event) => event.actor === 'admin')).toBe(true);
  });

  it('rebuild config and overrides from the log with the same checksum', async () => {
    const tenant = 'ov-rebuild';
    await useManualClock(tenant);
    await configureRateLimit(tenant, { requestsPerWindow: 3, readLimit: 2, windowStrategy: 'sliding-log' });
    await setOverride(tenant, { type: 'increase', multiplier: 2, expiresAt: T0 + 60_000, reason: 'a' });
    const lifted = await setOverride(tenant, { type: 'bypass', reason: 'b' });
    await adminRequest(tenant, 'DELETE', `/overrides/${lifted.id}`);
    const rebuild = (await (await adminRequest(tenant, 'POST', '/projections/rebuild')).json()) as Record<string, unknown>;
    expect(rebuild.matches).toBe(true);
    expect(rebuild.projections).toMatchObject({ 'rate-limits': { rows: 2 } });
    const status = (await (await adminRequest(tenant, 'GET', '/rate-limit')).json()) as Record<string, unknown>;
    expect(status.config).toMatchObject({ requestsPerWindow: 3, readLimit: 2, windowStrategy: 'sliding-log' });
    expect(status.limit).toBe(6);
  });

  it('replay a repeated Idempotency-Key without a second override', async () => {
    const tenant = 'ov-idempotent';
    await useManualClock(tenant);
    const send = () =>
      SELF.fetch(`http://localhost/admin/tenants/${tenant}/overrides`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': 'ov-1' },
        body: JSON.stringify({ type: 'increase', multiplier: 2, reason: 'once' }),
      });
    const first = await send();
    const second = await send();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(await eventTypesOf(tenant)).toEqual(['ratelimit.override.set']);
  });

  it('reject invalid input with a JSON error and no event', async () => {
    const tenant = 'ov-invalid';
    await useManualClock(tenant);
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/overrides', { type: 'increase', reason: 'r' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/overrides', { type: 'bypass', multiplier: 3, reason: 'r' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/overrides', { type: 'block' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/overrides', { type: 'bypass', reason: 'r', expiresAt: T0 - 1 }, 400, 'VALIDATION_FAILED'],
      ['POST', '/overrides', [1], 400, 'VALIDATION_FAILED'],
      ['PUT', '/rate-limit', { requestsPerWindow: 0 }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/rate-limit', { windowStrategy: 'token-bucket' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/rate-limit', { windowMs: 1.5 }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/rate-limit', { warningThreshold: 0 }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/rate-limit', { requestsPerMinute: 10 }, 400, 'VALIDATION_FAILED'],
      ['DELETE', '/overrides/nope', undefined, 404, 'NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const response = await adminRequest(tenant, method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await eventTypesOf(tenant)).toEqual([]);
  });

  it('need the admin token', async () => {
    const response = await SELF.fetch('http://localhost/admin/tenants/ov-auth/overrides', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'block', reason: 'x' }),
    });
    expect(response.status).toBe(401);
    expect((await SELF.fetch('http://localhost/admin/overrides')).status).toBe(401);
    expect((await SELF.fetch('http://ov-auth.localhost/admin/overrides')).status).toBe(401);
  });

  it('list the active overrides of one tenant', async () => {
    const tenant = 'ov-tenant-list';
    const clock = await useManualClock(tenant);
    const lasting = await setOverride(tenant, { type: 'increase', multiplier: 2, reason: 'lasting' });
    await setOverride(tenant, { type: 'increase', multiplier: 3, expiresAt: T0 + 1_000, reason: 'short' });
    clock.advance(1_000);
    const list = (await (await adminRequest(tenant, 'GET', '/overrides')).json()) as { items: OverrideView[]; count: number };
    expect(list.items.map((item) => item.id)).toEqual([lasting.id]);
    expect(list.count).toBe(1);
  });
});

describe('GET /admin/overrides', () => {
  it('lists active overrides across tenants and leaves expired ones out', async () => {
    const indexStub = env.OVERRIDE_INDEX.get(env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
    const clockA = await useManualClock('ov-global-a');
    const clockB = await useManualClock('ov-global-b');
    await useIndexClock(clockA);
    const a = await setOverride('ov-global-a', { type: 'increase', multiplier: 2, expiresAt: T0 + 30_000, reason: 'migration' });
    const b = await setOverride('ov-global-b', { type: 'block', reason: 'offboarding' });

    const mine = (items: OverrideView[]) => items.filter((item) => item.tenant.startsWith('ov-global-'));
    expect(mine(await globalOverrides()).map((item) => [item.tenant, item.id])).toEqual([
      ['ov-global-a', a.id],
      ['ov-global-b', b.id],
    ]);
    expect((await globalOverrides('?tenant=ov-global-b')).map((item) => item.id)).toEqual([b.id]);

    // Expiry needs no request: the index compares with its clock when listing.
    clockA.set(T0 + 30_000);
    clockB.set(T0 + 30_000);
    expect(mine(await globalOverrides()).map((item) => item.id)).toEqual([b.id]);

    await adminRequest('ov-global-b', 'DELETE', `/overrides/${b.id}`);
    expect(mine(await globalOverrides())).toEqual([]);

    const stored = await runInDurableObject(indexStub, (_instance, state) =>
      state.storage.sql.exec(`SELECT tenant, id FROM overrides WHERE tenant LIKE 'ov-global-%'`).toArray(),
    );
    expect(stored).toEqual([{ tenant: 'ov-global-a', id: a.id }]);
  });

  it('gets a lost push back from the alarm task', async () => {
    const tenant = 'ov-index-retry';
    const indexStub = env.OVERRIDE_INDEX.get(env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
    await useManualClock(tenant);
    const override = await setOverride(tenant, { type: 'increase', multiplier: 2, reason: 'retry' });
    await runInDurableObject(indexStub, (_instance, state) => {
      state.storage.sql.exec(`DELETE FROM overrides WHERE tenant = ?`, tenant);
    });
    expect(await globalOverrides(`?tenant=${tenant}`)).toEqual([]);

    await runInDurableObject(tenantStub(tenant), (instance) => instance.scheduler.schedule(OVERRIDE_INDEX_TASK, T0));
    // T0 is in the past for workerd's own alarm clock, so the alarm may already be running;
    // wait for its push instead of assuming this call ran it.
    await runDurableObjectAlarm(tenantStub(tenant));
    let ids: string[] = [];
    for (let attempt = 0; attempt < 50 && ids.length === 0; attempt++) {
      ids = (await globalOverrides(`?tenant=${tenant}`)).map((item) => item.id);
      if (ids.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(ids).toEqual([override.id]);
  });

  it('lists only its own overrides on a tenant host', async () => {
    await useManualClock('ov-host-a');
    await useManualClock('ov-host-b');
    const a = await setOverride('ov-host-a', { type: 'increase', multiplier: 2, reason: 'host a' });
    const b = await setOverride('ov-host-b', { type: 'increase', multiplier: 3, reason: 'host b' });

    const response = await SELF.fetch('http://ov-host-a.localhost/admin/overrides', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const items = ((await response.json()) as { items: OverrideView[] }).items;
    expect(items.map((item) => item.id)).toEqual([a.id]);
    expect(items.map((item) => item.tenant)).toEqual(['ov-host-a']);

    const global = (await globalOverrides()).map((item) => item.id);
    expect(global).toContain(a.id);
    expect(global).toContain(b.id);
  });

  it('rejects an invalid tenant filter', async () => {
    const response = await SELF.fetch('http://localhost/admin/overrides?tenant=Not_A_Slug', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_TENANT');
  });

  it('ignores a push older than the one it holds', async () => {
    const indexStub = env.OVERRIDE_INDEX.get(env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
    const override = { id: 'x', type: 'block' as const, multiplier: 0, expiresAt: null, reason: 'r', createdAt: T0 };
    expect(await indexStub.sync('ov-stale', 5, [override])).toBe(true);
    expect(await indexStub.sync('ov-stale', 4, [])).toBe(false);
    expect((await indexStub.listActive('ov-stale')).map((item) => item.id)).toEqual(['x']);
    expect(await indexStub.sync('ov-stale', 6, [])).toBe(true);
    expect(await indexStub.listActive('ov-stale')).toEqual([]);
  });
});
