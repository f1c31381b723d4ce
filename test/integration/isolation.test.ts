import { describe, expect, it } from 'vitest';

import { call, createRelationship, createThing, expectError, sendJson, type ThingBody, uniqueTenant } from './helpers';

interface Stats {
  tenant: string;
  thingCount: number;
  relationshipCount: number;
  eventCount: number;
}

async function stats(tenant: string): Promise<Stats> {
  return (await call(tenant, '/stats')).json<Stats>();
}

describe('tenant isolation', () => {
  it('hides tenant A data from tenant B', async () => {
    const tenantA = uniqueTenant('iso-a');
    const tenantB = uniqueTenant('iso-b');
    const created = await sendJson(tenantA, 'POST', '/things', {
      id: 'secret-data',
      type: 'Secret',
      data: { apiKey: 'sk_live_tenant_a_xxx' },
    });
    expect(created.status).toBe(201);

    const read = await call(tenantB, '/things/secret-data');
    await expectError(read, 404, 'NOT_FOUND');
    expect((await call(tenantA, '/things/secret-data')).status).toBe(200);
  });

  it('same id in both tenants', async () => {
    const tenantA = uniqueTenant('iso-same-a');
    const tenantB = uniqueTenant('iso-same-b');
    await createThing(tenantA, { id: 'user-123', type: 'User', data: { owner: 'A' } });
    await createThing(tenantB, { id: 'user-123', type: 'User', data: { owner: 'B' } });

    const a = await (await call(tenantA, '/things/user-123')).json<ThingBody>();
    const b = await (await call(tenantB, '/things/user-123')).json<ThingBody>();
    expect(a.data).toEqual({ owner: 'A' });
    expect(b.data).toEqual({ owner: 'B' });
  });

  it('counts only the tenant own data in stats', async () => {
    const tenantA = uniqueTenant('iso-stats-a');
    const tenantB = uniqueTenant('iso-stats-b');
    const baseA = await stats(tenantA);
    for (let index = 0; index < 5; index++) {
      await createThing(tenantA, { id: `item-${index}`, type: 'TestItem', data: {} });
    }
    const afterA = await stats(tenantA);
    const afterB = await stats(tenantB);
    expect(afterA.thingCount).toBe(baseA.thingCount + 5);
    expect(afterA.tenant).toBe(tenantA);
    expect(afterB).toMatchObject({ tenant: tenantB, thingCount: 0, relationshipCount: 0, eventCount: 0 });
  });

  it('tenant B lists nothing of A', async () => {
    const tenantA = uniqueTenant('iso-list-a');
    const tenantB = uniqueTenant('iso-list-b');
    await createThing(tenantA, { id: 'secret-data', $type: 'Secret', data: 'tenant-a-secret' });
    for (const query of ['?type=Secret', '?type=*', '']) {
      const list = await (await call(tenantB, `/things${query}`)).json();
      expect(list, query).toEqual({ items: [], count: 0, cursor: null });
    }
  });

  it('does not show tenant A relationships to tenant B', async () => {
    const tenantA = uniqueTenant('iso-rel-a');
    const tenantB = uniqueTenant('iso-rel-b');
    await createThing(tenantA, { id: 'a', type: 'T' });
    await createThing(tenantA, { id: 'b', type: 'T' });
    await createRelationship(tenantA, { id: 'r', from: 'a', to: 'b', type: 'knows' });

    const list = await (await call(tenantB, '/relationships?from=a')).json();
    expect(list).toEqual({ items: [], count: 0, cursor: null });
    await expectError(await call(tenantB, '/relationships/r'), 404, 'NOT_FOUND');
    // Tenant B cannot point at tenant A things either.
    await expectError(await sendJson(tenantB, 'POST', '/relationships', { from: 'a', to: 'b', type: 'knows' }), 422, 'REFERENCE_NOT_FOUND');
  });

  it('tenant B cannot write A things', async () => {
    const tenantA = uniqueTenant('iso-write-a');
    const tenantB = uniqueTenant('iso-write-b');
    await createThing(tenantA, { id: 'x', type: 'T', data: { v: 1 } });
    await expectError(await sendJson(tenantB, 'PATCH', '/things/x', { data: { v: 2 } }), 404, 'NOT_FOUND');
    await expectError(await call(tenantB, '/things/x', { method: 'DELETE' }), 404, 'NOT_FOUND');
    expect((await (await call(tenantA, '/things/x')).json<ThingBody>()).data).toEqual({ v: 1 });
  });

  it('ignores forged internal headers', async () => {
    const tenantA = uniqueTenant('iso-forge-a');
    const tenantB = uniqueTenant('iso-forge-b');
    await createThing(tenantA, { id: 'secret', type: 'T' });

    const forged = await call(tenantB, '/things/secret', {
      headers: { 'x-tenantlog-tenant': tenantA, 'X-Tenantlog-Admin': '1', 'x-tenantlog-actor': 'admin' },
    });
    await expectError(forged, 404, 'NOT_FOUND');
    expect(forged.headers.get('x-tenant-id')).toBe(tenantB);

    const admin = await call(tenantB, '/admin/projections/checksum', { headers: { 'x-tenantlog-admin': '1' } });
    await expectError(admin, 401, 'UNAUTHORIZED');
  });
});
