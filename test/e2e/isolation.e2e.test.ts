import { beforeAll, describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { verifyChain } from '../../events/hash';
import { adminHeaders, jsonRequest } from './harness/json-client';
import { useDevServer } from './harness/use-dev-server';
import { DEV_ADMIN_TOKEN } from './harness/wrangler-dev';

// One `wrangler dev` for the whole file. The steps below run in order and share
// tenant-a and tenant-b, as an operator's isolation audit would.
const server = useDevServer();

const admin = adminHeaders(DEV_ADMIN_TOKEN);

describe('manual verification', () => {
  it('creates a secret in tenant-a', async () => {
    const created = await jsonRequest(server, 'tenant-a', 'POST', '/things', {
      json: { id: 'secret-data', $type: 'Secret', data: 'tenant-a-secret' },
    });
    expect(created.status, server.output()).toBe(201);
    expect(created.headers.get('x-tenant-id')).toBe('tenant-a');
    expect(created.body).toMatchObject({ id: 'secret-data', type: 'Secret', data: 'tenant-a-secret', version: 1, seq: 1 });

    const read = await jsonRequest(server, 'tenant-a', 'GET', '/things/secret-data');
    expect(read.status).toBe(200);
    expect(read.body.data).toBe('tenant-a-secret');
  });

  it('hides the secret from tenant-b', async () => {
    const read = await jsonRequest(server, 'tenant-b', 'GET', '/things/secret-data');
    expect(read.status).toBe(404);
    expect(read.headers.get('x-tenant-id')).toBe('tenant-b');
    expect(read.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(read.body)).not.toContain('tenant-a-secret');
  });

  it('lists no Secret for tenant-b', async () => {
    const list = await jsonRequest(server, 'tenant-b', 'GET', '/things?type=Secret');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], count: 0, cursor: null });
  });

  it('keeps the stats of both tenants apart', async () => {
    const statsA = await jsonRequest(server, 'tenant-a', 'GET', '/stats');
    const statsB = await jsonRequest(server, 'tenant-b', 'GET', '/stats');
    expect(statsA.body).toMatchObject({ tenant: 'tenant-a', thingCount: 1, eventCount: 1, byType: { Secret: 1 } });
    expect(statsB.body).toMatchObject({ tenant: 'tenant-b', thingCount: 0, eventCount: 0, byType: {} });
  });
});

describe('isolation audit', () => {
  beforeAll(async () => {
    // tenant-a gets a second thing and a relationship from the secret, and tenant-b gets a thing of its own.
    for (const [tenant, path, json] of [
      ['tenant-a', '/things', { id: 'vault', type: 'Vault', data: { region: 'eu' } }],
      ['tenant-a', '/relationships', { id: 'secret-in-vault', type: 'storedIn', from: 'secret-data', to: 'vault' }],
      ['tenant-b', '/things', { id: 'b-only', type: 'Note', data: { text: 'tenant-b note' } }],
    ] as const) {
      const response = await jsonRequest(server, tenant, 'POST', path, { json });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
    }
  });

  it('returns 404 for cross-tenant reads', async () => {
    for (const path of ['/things/secret-data', '/things/vault', '/relationships/secret-in-vault']) {
      const read = await jsonRequest(server, 'tenant-b', 'GET', path);
      expect(read.status, path).toBe(404);
      expect(read.body.error.code, path).toBe('NOT_FOUND');
    }
  });

  it('lists only tenant-b things for tenant-b', async () => {
    const list = await jsonRequest(server, 'tenant-b', 'GET', '/things?type=*');
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(1);
    expect(list.body.items.map((thing: { id: string }) => thing.id)).toEqual(['b-only']);
  });

  it('lists no cross-tenant relationships', async () => {
    const fromSecret = await jsonRequest(server, 'tenant-b', 'GET', '/relationships?from=secret-data');
    expect(fromSecret.body).toEqual({ items: [], count: 0, cursor: null });
    const all = await jsonRequest(server, 'tenant-b', 'GET', '/relationships');
    expect(all.body.count).toBe(0);

    const own = await jsonRequest(server, 'tenant-a', 'GET', '/relationships?from=secret-data');
    expect(own.body.items.map((relationship: { id: string }) => relationship.id)).toEqual(['secret-in-vault']);
  });

  it('keeps the stats apart', async () => {
    const statsA = await jsonRequest(server, 'tenant-a', 'GET', '/stats');
    const statsB = await jsonRequest(server, 'tenant-b', 'GET', '/stats');
    expect(statsA.body).toMatchObject({ thingCount: 2, relationshipCount: 1, eventCount: 3 });
    expect(statsB.body).toMatchObject({ thingCount: 1, relationshipCount: 0, eventCount: 1, byType: { Note: 1 } });
  });

  it('allows the same id in both tenants', async () => {
    const created = await jsonRequest(server, 'tenant-b', 'POST', '/things', {
      json: { id: 'secret-data', type: 'Secret', data: 'tenant-b-secret' },
    });
    expect(created.status).toBe(201);
    expect(created.body.seq).toBe(2);

    const readA = await jsonRequest(server, 'tenant-a', 'GET', '/things/secret-data');
    const readB = await jsonRequest(server, 'tenant-b', 'GET', '/things/secret-data');
    expect(readA.body.data).toBe('tenant-a-secret');
    expect(readB.body.data).toBe('tenant-b-secret');
  });

  it('ignores a forged internal tenant header', async () => {
    const forged = await jsonRequest(server, 'tenant-b', 'GET', '/things/vault', {
      headers: { 'x-tenantlog-tenant': 'tenant-a', 'x-tenantlog-admin': '1' },
    });
    expect(forged.status).toBe(404);
    expect(forged.headers.get('x-tenant-id')).toBe('tenant-b');

    const forgedAdmin = await jsonRequest(server, 'tenant-b', 'GET', '/admin/projections/checksum', {
      headers: { 'x-tenantlog-admin': '1' },
    });
    expect(forgedAdmin.status).toBe(401);
  });

  it('keeps each event log to its tenant', async () => {
    for (const tenant of ['tenant-a', 'tenant-b']) {
      const events = await jsonRequest(server, tenant, 'GET', '/events?after=0');
      expect(events.status).toBe(200);
      expect(events.body.items.length).toBeGreaterThan(0);
      expect(new Set(events.body.items.map((event: EventEnvelope) => event.tenant))).toEqual(new Set([tenant]));
    }
  });
});

describe('projection rebuild', () => {
  it('reproduces the checksum from the log', async () => {
    for (const tenant of ['tenant-a', 'tenant-b']) {
      const before = await jsonRequest(server, tenant, 'GET', '/admin/projections/checksum', { headers: admin });
      expect(before.status, JSON.stringify(before.body)).toBe(200);

      const rebuilt = await jsonRequest(server, tenant, 'POST', '/admin/projections/rebuild', { headers: admin });
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.body).toMatchObject({
        tenant,
        eventsReplayed: before.body.lastSeq,
        checksumBefore: before.body.checksum,
        checksum: before.body.checksum,
        matches: true,
      });

      const after = await jsonRequest(server, tenant, 'GET', '/admin/projections/checksum', { headers: admin });
      expect(after.body.checksum).toBe(before.body.checksum);
    }
  });

  it('rebuilds through the cross-tenant admin route', async () => {
    const direct = await jsonRequest(server, 'tenant-a', 'GET', '/admin/projections/checksum', { headers: admin });
    const rebuilt = await jsonRequest(server, null, 'POST', '/admin/tenants/tenant-a/projections/rebuild', { headers: admin });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get('x-tenant-id')).toBe('tenant-a');
    expect(rebuilt.body).toMatchObject({ tenant: 'tenant-a', matches: true, checksum: direct.body.checksum });
  });

  it('serves a hash chain that verifies in Node', async () => {
    for (const tenant of ['tenant-a', 'tenant-b']) {
      const checksum = await jsonRequest(server, tenant, 'GET', '/admin/projections/checksum', { headers: admin });
      const events = await jsonRequest(server, tenant, 'GET', '/events?after=0&limit=1000');
      const verification = verifyChain(events.body.items as EventEnvelope[]);
      expect(verification).toEqual({ ok: true, lastSeq: checksum.body.lastSeq, lastHash: checksum.body.headHash });
    }
  });
});

it('logs no code-generation or internal errors', () => {
  const output = server.output();
  expect(output).not.toMatch(/EvalError|Code generation from strings disallowed/);
  expect(output).not.toContain('tenant request failed');
});
