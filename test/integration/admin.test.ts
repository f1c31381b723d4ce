import { createExecutionContext, env, runInDurableObject, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { createEdgeApp } from '../../src/edge/app';
import { call, createRelationship, createThing, expectError, sendJson, tenantStub, uniqueTenant } from './helpers';

const ADMIN = { authorization: 'Bearer dev-admin-token' };

interface Checksum {
  tenant: string;
  lastSeq: number;
  headHash: string;
  checksum: string;
  projections: Record<string, { checksum: string; rows: number }>;
}

interface Rebuild {
  tenant: string;
  eventsReplayed: number;
  lastSeq: number;
  checksumBefore: string;
  checksum: string;
  matches: boolean;
  projections: Record<string, { checksum: string; rows: number }>;
}

async function checksum(tenant: string): Promise<Checksum> {
  const response = await call(tenant, '/admin/projections/checksum', { headers: ADMIN });
  expect(response.status).toBe(200);
  return response.json<Checksum>();
}

async function rebuild(tenant: string): Promise<Rebuild> {
  const response = await call(tenant, '/admin/projections/rebuild', { method: 'POST', headers: ADMIN });
  expect(response.status).toBe(200);
  return response.json<Rebuild>();
}

/** Writes 14 events that touch every projection: creates, merges, type changes, cascades. */
async function writeHistory(tenant: string): Promise<void> {
  for (const id of ['a', 'b', 'c', 'd']) await createThing(tenant, { id, type: 'Person', data: { id } });
  await createRelationship(tenant, { id: 'ab', from: 'a', to: 'b', type: 'knows' });
  await createRelationship(tenant, { id: 'bc', from: 'b', to: 'c', type: 'knows' });
  await createRelationship(tenant, { id: 'ca', from: 'c', to: 'a', type: 'likes', data: [1, 2] });
  await sendJson(tenant, 'PATCH', '/things/a', { data: { age: 3 } });
  await sendJson(tenant, 'PUT', '/things/d', { type: 'Robot', data: 'beep' });
  await call(tenant, '/things/b', { method: 'DELETE' });
  await call(tenant, '/relationships/ca', { method: 'DELETE' });
  await sendJson(tenant, 'POST', '/things', { id: 'emoji', type: '😀', data: { ok: true } });
}

describe('admin authentication', () => {
  it('rejects a missing, malformed or wrong token with 401', async () => {
    const tenant = uniqueTenant('admin-auth');
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'dev-admin-token' },
      { authorization: 'Basic ZGV2OmRldi1hZG1pbi10b2tlbg==' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer wrong-token' },
      { authorization: 'Bearer dev-admin-token-and-more' },
      { authorization: 'Bearer dev-admin-toke' },
    ];
    for (const headers of cases) {
      const response = await call(tenant, '/admin/projections/checksum', { headers });
      await expectError(response, 401, 'UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="tenantlog-admin"/);
      expect(response.headers.get('x-tenant-id')).toBe(tenant);
    }
    const wrong = await call(tenant, '/admin/projections/checksum', { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('rejects rebuild without a token', async () => {
    const tenant = uniqueTenant('admin-rebuild-auth');
    await expectError(await call(tenant, '/admin/projections/rebuild', { method: 'POST' }), 401, 'UNAUTHORIZED');
  });

  it('accepts the token with any case of Bearer', async () => {
    const tenant = uniqueTenant('admin-case');
    for (const authorization of ['Bearer dev-admin-token', 'bearer dev-admin-token', 'BEARER  dev-admin-token ']) {
      const response = await call(tenant, '/admin/projections/checksum', { headers: { authorization } });
      expect(response.status, authorization).toBe(200);
    }
  });

  it('closes admin routes when ADMIN_TOKEN is not set', async () => {
    const app = createEdgeApp();
    const { ADMIN_TOKEN: _token, ...withoutToken } = env;
    for (const authorization of ['Bearer dev-admin-token', 'Bearer ', 'Bearer undefined']) {
      const context = createExecutionContext();
      const request = new Request('http://closed.localhost/admin/projections/checksum', { headers: { authorization } });
      const response = await app.fetch(request, { ...withoutToken, LOG_REQUESTS: 'false' }, context);
      await waitOnExecutionContext(context);
      await expectError(response, 401, 'UNAUTHORIZED');
    }
  });

  it('protects percent-encoded admin paths too', async () => {
    const tenant = uniqueTenant('admin-encoded');
    await expectError(await call(tenant, '/%61dmin/projections/checksum'), 401, 'UNAUTHORIZED');
  });
});

describe('GET /admin/projections/checksum', () => {
  it('reports the head and a checksum per projection', async () => {
    const tenant = uniqueTenant('checksum');
    await writeHistory(tenant);
    const result = await checksum(tenant);
    expect(result.tenant).toBe(tenant);
    expect(result.lastSeq).toBe(14);
    expect(result.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(result.projections)).toEqual(['counters', 'things', 'relationships', 'rate-limits', 'tenant-config', 'monitoring']);
    // Four things and the tombstone of the one deleted in the history.
    expect(result.projections.things!.rows).toBe(5);
    expect(result.projections.relationships!.rows).toBe(0);
  });

  it('checksum follows projection rows', async () => {
    const tenantA = uniqueTenant('checksum-a');
    const tenantB = uniqueTenant('checksum-b');
    await createThing(tenantA, { id: 'x', type: 'T', data: { n: 1 } });
    await createThing(tenantB, { id: 'x', type: 'T', data: { n: 2 } });
    const a = await checksum(tenantA);
    const b = await checksum(tenantB);
    expect(a.projections.things!.checksum).not.toBe(b.projections.things!.checksum);
    expect(a.projections.counters!.checksum).toBe(b.projections.counters!.checksum);
  });
});

describe('POST /admin/projections/rebuild', () => {
  it('replays the log into identical projections', async () => {
    const tenant = uniqueTenant('rebuild');
    await writeHistory(tenant);
    const before = await checksum(tenant);
    const statsBefore = await (await call(tenant, '/stats')).json();

    const result = await rebuild(tenant);

    expect(result).toMatchObject({
      tenant,
      eventsReplayed: 14,
      lastSeq: 14,
      checksumBefore: before.checksum,
      checksum: before.checksum,
      matches: true,
    });
    expect(result.projections).toEqual(before.projections);
    expect(await (await call(tenant, '/stats')).json()).toEqual(statsBefore);
    expect((await checksum(tenant)).checksum).toBe(before.checksum);
  });

  it('repairs projections that drifted from the log', async () => {
    const tenant = uniqueTenant('rebuild-drift');
    await writeHistory(tenant);
    const good = await checksum(tenant);

    await runInDurableObject(tenantStub(tenant), (_instance, state) => {
      state.storage.sql.exec(`UPDATE things SET data = '{"tampered":true}' WHERE id = 'a'`);
      state.storage.sql.exec(`DELETE FROM projection_counters WHERE name = 'things'`);
    });
    const drifted = await checksum(tenant);
    expect(drifted.checksum).not.toBe(good.checksum);

    const result = await rebuild(tenant);
    expect(result.matches).toBe(false);
    expect(result.checksumBefore).toBe(drifted.checksum);
    expect(result.checksum).toBe(good.checksum);
    expect(await (await call(tenant, '/things/a')).json()).toMatchObject({ data: { id: 'a', age: 3 } });
  });

  it('rejects rebuild of a broken chain', async () => {
    const tenant = uniqueTenant('rebuild-tampered');
    await writeHistory(tenant);
    const good = await checksum(tenant);
    await runInDurableObject(tenantStub(tenant), (_instance, state) => {
      state.storage.sql.exec(`UPDATE events SET payload = '{"id":"a","type":"Person","data":{"id":"z"}}' WHERE seq = 1`);
    });

    const response = await call(tenant, '/admin/projections/rebuild', { method: 'POST', headers: ADMIN });
    const error = await expectError(response, 500, 'LOG_INTEGRITY');
    expect(error.message).toContain('seq 1');
    expect((await checksum(tenant)).checksum).toBe(good.checksum);
  });

  it('rebuilds an empty log', async () => {
    const tenant = uniqueTenant('rebuild-empty');
    const result = await rebuild(tenant);
    expect(result).toMatchObject({ eventsReplayed: 0, lastSeq: 0, matches: true });
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const tenant = uniqueTenant('rebuild-method');
    const response = await call(tenant, '/admin/projections/rebuild', { headers: ADMIN });
    await expectError(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('/admin/tenants/:tenant/*', () => {
  it('reaches the named tenant from any host', async () => {
    const tenant = uniqueTenant('cross');
    await createThing(tenant, { id: 'x', type: 'T' });
    const response = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/projections/checksum`, { headers: ADMIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tenant-id')).toBe(tenant);
    expect(await response.json()).toMatchObject({ tenant, lastSeq: 1 });
  });

  it('rejects a tenant that is not a slug', async () => {
    for (const tenant of ['UPPER', 'under_score', '-dash', 'a'.repeat(64)]) {
      const response = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/projections/checksum`, { headers: ADMIN });
      await expectError(response, 400, 'INVALID_TENANT');
    }
  });

  it('needs the admin token', async () => {
    const response = await SELF.fetch('http://localhost/admin/tenants/someone/projections/checksum');
    await expectError(response, 401, 'UNAUTHORIZED');
  });

  it('forwards the rest of the path decoded once', async () => {
    const tenant = uniqueTenant('cross-encoded');
    // `%2573` is an encoded `%73`, not an `s`: the object must see `projection%2573`, which names no route.
    const doubled = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/projection%2573/checksum`, { headers: ADMIN });
    await expectError(doubled, 404, 'NOT_FOUND');
    const encoded = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/projection%73/checksum`, { headers: ADMIN });
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toMatchObject({ tenant });
    const encodedTenant = await SELF.fetch(`http://localhost/admin/tenants/${tenant.replace('c', '%63')}/projections/checksum`, { headers: ADMIN });
    expect(encodedTenant.status).toBe(200);
    expect(encodedTenant.headers.get('x-tenant-id')).toBe(tenant);
  });

  it('serves only admin routes of the tenant', async () => {
    const tenant = uniqueTenant('cross-data');
    await createThing(tenant, { id: 'x', type: 'T' });
    const response = await SELF.fetch(`http://localhost/admin/tenants/${tenant}/things/x`, { headers: ADMIN });
    await expectError(response, 404, 'NOT_FOUND');
  });
});
