import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { readApiCalls } from '../../../src/limits/tenant-usage';
import { calendarMonth } from '../../../src/limits/plans';
import { adminRequest, createThing, T0, tenantRequest, tenantStub, useManualClock } from './helpers';

async function configureTenant(tenant: string, body: Record<string, unknown>): Promise<void> {
  const response = await adminRequest(tenant, 'PUT', '/config', body);
  expect(response.status, await response.clone().text()).toBe(200);
}

async function apiCallsUsage(tenant: string): Promise<number> {
  const response = await tenantRequest(tenant, '/usage');
  return ((await response.json()) as { usage: { apiCalls: { current: number } } }).usage.apiCalls.current;
}

describe('limits kept in memory', () => {
  it('apply a new plan from the request after it commits', async () => {
    const tenant = 'cached-plan';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'enterprise' });
    // This request reads the enterprise plan, which the quota plugin then keeps.
    expect((await createThing(tenant, { id: 'u1', type: 'User' })).status).toBe(201);

    await configureTenant(tenant, { plan: 'starter', limits: { users: 1 } });
    const refused = await createThing(tenant, { id: 'u2', type: 'User' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { resource: string; limit: number } }).error).toMatchObject({ resource: 'users', limit: 1 });

    await configureTenant(tenant, { plan: 'enterprise' });
    expect((await createThing(tenant, { id: 'u2', type: 'User' })).status).toBe(201);
  });

  it('store an API call of every write, also of a failed one', async () => {
    const tenant = 'cached-api-calls';
    await useManualClock(tenant);
    expect((await createThing(tenant, { id: 'a', type: 'T' })).status).toBe(201);
    expect((await createThing(tenant, { id: 'a', type: 'T' })).status).toBe(409);
    expect((await createThing(tenant, { id: 'bad id with spaces', type: 'T' })).status).toBe(400);

    const stored = await runInDurableObject(tenantStub(tenant), (instance) => readApiCalls(instance.store.sql, calendarMonth(T0).key));
    expect(stored).toBe(3);
    // The read counts itself before it reports.
    expect(await apiCallsUsage(tenant)).toBe(4);
  });

  it('refuse API calls past the quota counted in memory', async () => {
    const tenant = 'cached-api-quota';
    await useManualClock(tenant);
    await configureTenant(tenant, { plan: 'starter', limits: { apiCalls: 3 } });
    const statuses: number[] = [];
    const refusedResources: string[] = [];
    for (let n = 0; n < 5; n++) {
      const response = await createThing(tenant, { id: `t${n}`, type: 'T' });
      statuses.push(response.status);
      if (response.status === 403) refusedResources.push(((await response.json()) as { error: { resource: string } }).error.resource);
      else await response.body?.cancel();
    }
    expect(statuses).toEqual([201, 201, 201, 403, 403]);
    expect(refusedResources).toEqual(['apiCalls', 'apiCalls']);
  });
});
