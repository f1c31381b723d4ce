import { runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { PLANS } from '../../../src/limits/plans';
import {
  adminRequest,
  createThing,
  eventTypesOf,
  rateLimitHeaders,
  statusesOf,
  T0,
  tenantRequest,
  tenantStub,
  useManualClock,
} from './helpers';

async function configureTenant(tenant: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await adminRequest(tenant, 'PUT', '/config', body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

interface QuotaError {
  error: { code: string; message: string; resource: string; limit: number; current: number; plan: string };
}

describe('tenant configuration', () => {
  it('defaults to the starter plan until configured', async () => {
    const tenant = 'q-default';
    await useManualClock(tenant);
    const config = (await (await adminRequest(tenant, 'GET', '/config')).json()) as Record<string, unknown>;
    expect(config).toEqual({ tenant, plan: 'starter', configured: false, limits: PLANS.starter.limits, features: PLANS.starter.features });
  });

  it('records the plan with its limits and features as a tenant.configured event', async () => {
    const tenant = 'q-configure';
    await useManualClock(tenant);
    const config = await configureTenant(tenant, { plan: 'enterprise', limits: { apiCalls: 2_000_000 } });
    expect(config).toEqual({
      tenant,
      plan: 'enterprise',
      configured: true,
      limits: { users: -1, storage: 500, apiCalls: 2_000_000 },
      features: PLANS.enterprise.features,
    });
    expect(await eventTypesOf(tenant)).toEqual(['tenant.configured']);
    const event = await runInDurableObject(tenantStub(tenant), (instance) => instance.store.log.readAfter(tenant, 0, 1)[0]!);
    expect(event.payload).toEqual({ plan: 'enterprise', limits: config.limits, features: config.features });
    const rebuild = (await (await adminRequest(tenant, 'POST', '/projections/rebuild')).json()) as Record<string, unknown>;
    expect(rebuild.matches).toBe(true);
    expect(rebuild.projections).toMatchObject({ 'tenant-config': { rows: 1 } });
  });

  it('rejects an unknown plan or an invalid limit', async () => {
    const tenant = 'q-configure-invalid';
    for (const body of [{ plan: 'gold' }, { plan: 'pro', limits: { users: -2 } }, { plan: 'pro', limits: { seats: 3 } }, {}]) {
      const response = await adminRequest(tenant, 'PUT', '/config', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as QuotaError).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await eventTypesOf(tenant)).toEqual([]);
  });
});

describe('users quota', () => {
  it('refuses the user past the limit with 403 and keeps reads allowed', async () => {
    const tenant = 'q-users';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'starter' });
    for (let i = 1; i <= 5; i++) expect((await createThing(tenant, { id: `u${i}`, type: 'User' })).status).toBe(201);

    const refused = await createThing(tenant, { id: 'u6', type: 'User' });
    expect(refused.status).toBe(403);
    expect(rateLimitHeaders(refused).limit).not.toBeNull();
    const body = (await refused.json()) as QuotaError;
    expect(body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', resource: 'users', limit: 5, current: 5, plan: 'starter' });
    expect(body.error.message).toContain('users limit is 5');

    expect((await tenantRequest(tenant, '/things/u6')).status).toBe(404);
    expect((await tenantRequest(tenant, '/things?type=User')).status).toBe(200);
    // Other types and changes that do not add a user still pass.
    expect((await createThing(tenant, { id: 'o1', type: 'Order' })).status).toBe(201);
    const patched = await tenantRequest(tenant, '/things/u1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(patched.status).toBe(200);
    // Turning an Order into a User adds one.
    const retyped = await tenantRequest(tenant, '/things/o1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'User' }),
    });
    expect(retyped.status).toBe(403);
    // After a deletion there is room again.
    expect((await tenantRequest(tenant, '/things/u1', { method: 'DELETE' })).status).toBe(204);
    expect((await createThing(tenant, { id: 'u6', type: 'User' })).status).toBe(201);
  });

  it('rolls back a whole batch that would pass the limit', async () => {
    const tenant = 'q-users-batch';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'starter', limits: { users: 2 } });
    const response = await tenantRequest(tenant, '/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operations: [
          { op: 'create', id: 'a', type: 'User' },
          { op: 'create', id: 'b', type: 'User' },
          { op: 'create', id: 'c', type: 'User' },
        ],
      }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as QuotaError).error).toMatchObject({ resource: 'users', current: 0, limit: 2 });
    expect(await eventTypesOf(tenant)).toEqual(['tenant.configured']);
  });

  it('does not limit enterprise users', async () => {
    const tenant = 'q-users-enterprise';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'enterprise' });
    for (let i = 0; i < 8; i++) expect((await createThing(tenant, { id: `u${i}`, type: 'User' })).status).toBe(201);
    const usage = (await (await tenantRequest(tenant, '/usage')).json()) as { usage: Record<string, unknown> };
    expect(usage.usage.users).toEqual({ allowed: true, current: 8, limit: -1, remaining: null });
  });
});

describe('storage quota', () => {
  it('counts event and thing bytes and refuses writes that add data past the limit', async () => {
    const tenant = 'q-storage';
    await useManualClock(tenant);
    // 0.000002 GB = 2000 bytes.
    await configureTenant(tenant, { plan: 'pro', limits: { storage: 0.000002 } });
    const configBytes = (await (await tenantRequest(tenant, '/usage')).json()) as { usage: { storage: { current: number } } };
    const big = { id: 'big', type: 'Doc', text: 'x'.repeat(700) };
    expect((await createThing(tenant, big)).status).toBe(201);
    const after = (await (await tenantRequest(tenant, '/usage')).json()) as { usage: { storage: { current: number; limit: number } } };
    // The thing is stored twice over: as the event payload and as the projection row.
    expect(after.usage.storage.current - configBytes.usage.storage.current).toBeGreaterThan(1400);
    expect(after.usage.storage.limit).toBe(2000);

    const refused = await createThing(tenant, { ...big, id: 'big2' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as QuotaError).error).toMatchObject({ resource: 'storage', limit: 2000, current: after.usage.storage.current });
    expect((await tenantRequest(tenant, '/things/big')).status).toBe(200);
    // Deletions stay allowed even over the limit.
    expect((await tenantRequest(tenant, '/things/big', { method: 'DELETE' })).status).toBe(204);
  });
});

describe('apiCalls quota', () => {
  it('counts requests per UTC calendar month and refuses past the limit', async () => {
    const tenant = 'q-api-calls';
    const clock = await useManualClock(tenant, Date.UTC(2100, 3, 30, 23, 59, 0));
    await configureTenant(tenant, { plan: 'starter', limits: { apiCalls: 3 } });
    expect(await statusesOf(tenant, 4)).toEqual([200, 200, 200, 403]);
    const refused = await createThing(tenant, { id: 'x', type: 'T' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as QuotaError).error).toMatchObject({ code: 'QUOTA_EXCEEDED', resource: 'apiCalls', limit: 3, current: 3 });

    const usage = (await (await adminRequest(tenant, 'GET', '/usage')).json()) as Record<string, unknown>;
    expect(usage).toMatchObject({
      plan: 'starter',
      period: { month: '2100-04', start: '2100-04-01T00:00:00.000Z', end: '2100-05-01T00:00:00.000Z' },
      usage: { apiCalls: { allowed: false, current: 3, limit: 3, remaining: 0 } },
    });

    clock.set(Date.UTC(2100, 4, 1));
    expect(await statusesOf(tenant, 4)).toEqual([200, 200, 200, 403]);
  });

  it('keeps the count in SQLite', async () => {
    const tenant = 'q-api-calls-durable';
    await useManualClock(tenant, T0);
    await statusesOf(tenant, 3);
    const rows = await runInDurableObject(tenantStub(tenant), (_instance, state) =>
      state.storage.sql.exec(`SELECT month, calls FROM api_call_usage`).toArray(),
    );
    expect(rows).toEqual([{ month: '2100-04', calls: 3 }]);
  });

  it('does not count or refuse admin requests', async () => {
    const tenant = 'q-api-calls-admin';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'starter', limits: { apiCalls: 1 } });
    await statusesOf(tenant, 1);
    expect((await tenantRequest(tenant, '/usage')).status).toBe(403);
    for (let i = 0; i < 3; i++) expect((await adminRequest(tenant, 'GET', '/usage')).status).toBe(200);
    // The operator raises the quota while the tenant is over it.
    await configureTenant(tenant, { plan: 'pro' });
    expect((await tenantRequest(tenant, '/usage')).status).toBe(200);
  });
});

describe('GET /usage', () => {
  it('reports plan, features and every resource for the tenant', async () => {
    const tenant = 'q-usage';
    await useManualClock(tenant);
    await createThing(tenant, { id: 'u1', type: 'User' });
    const response = await SELF.fetch(`http://${tenant}.localhost/usage`);
    expect(response.status).toBe(200);
    const usage = (await response.json()) as Record<string, any>;
    expect(usage).toMatchObject({ tenant, plan: 'starter', configured: false, features: PLANS.starter.features });
    expect(usage.usage.users).toEqual({ allowed: true, current: 1, limit: 5, remaining: 4 });
    expect(usage.usage.apiCalls).toEqual({ allowed: true, current: 2, limit: 10_000, remaining: 9_998 });
    expect(usage.usage.storage.limit).toBe(5_000_000_000);
    expect(usage.usage.storage.current).toBeGreaterThan(0);
  });
});
