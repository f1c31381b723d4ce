import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { adminHeaders, type JsonRequestOptions, jsonRequest, type JsonResponse } from './harness/json-client';
import { useDevServer } from './harness/use-dev-server';

// One `wrangler dev` for the whole file. Each describe uses its own tenant.
const server = useDevServer();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function eventCount(tenant: string): Promise<number> {
  const stats = await jsonRequest(server, tenant, 'GET', '/stats');
  return stats.body.eventCount as number;
}

async function create(tenant: string, json: Record<string, unknown>, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return await jsonRequest(server, tenant, 'POST', '/things', { json, headers });
}

describe('Idempotency-Key', () => {
  const tenant = 'contract-idempotency';

  it('replays the first response without appending', async () => {
    const key = { 'idempotency-key': 'create-order-1' };
    const first = await create(tenant, { id: 'order-1', type: 'Order', data: { total: 12 } }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await create(tenant, { id: 'order-1', type: 'Order', data: { total: 12 } }, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(replay.body).toEqual(first.body);
    expect(await eventCount(tenant)).toBe(1);

    const events = await jsonRequest(server, tenant, 'GET', '/events?after=0');
    expect(events.body.items.map((event: EventEnvelope) => event.idempotencyKey)).toEqual(['create-order-1']);
  });

  it('rejects the key on a different request', async () => {
    const reused = await create(tenant, { id: 'order-2', type: 'Order' }, { 'idempotency-key': 'create-order-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await eventCount(tenant)).toBe(1);
  });
});

describe('If-Match', () => {
  const tenant = 'contract-if-match';

  it('applies a write at the expected version', async () => {
    const created = await create(tenant, { id: 'doc', type: 'Doc', data: { title: 'v1' } });
    expect(created.headers.get('etag')).toBe('"1"');

    const updated = await jsonRequest(server, tenant, 'PATCH', '/things/doc', {
      json: { data: { title: 'v2' } },
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(updated.body).toMatchObject({ version: 2, data: { title: 'v2' } });
  });

  it('rejects a stale version with 409 and appends nothing', async () => {
    const before = await eventCount(tenant);
    const stale = await jsonRequest(server, tenant, 'PATCH', '/things/doc', {
      json: { data: { title: 'lost update' } },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, currentVersion: 2 });

    const staleDelete = await jsonRequest(server, tenant, 'DELETE', '/things/doc', { headers: { 'if-match': '"1"' } });
    expect(staleDelete.status).toBe(409);

    const read = await jsonRequest(server, tenant, 'GET', '/things/doc');
    expect(read.body).toMatchObject({ version: 2, data: { title: 'v2' } });
    expect(await eventCount(tenant)).toBe(before);
  });
});

describe('POST /batch', () => {
  const tenant = 'contract-batch';

  it('rolls back every operation when one fails', async () => {
    expect((await create(tenant, { id: 'taken', type: 'Item' })).status).toBe(201);
    const before = await eventCount(tenant);

    const failed = await jsonRequest(server, tenant, 'POST', '/batch', {
      json: {
        operations: [
          { op: 'create', id: 'first', type: 'Item' },
          { op: 'update', id: 'taken', data: { touched: true } },
          { op: 'create', collection: 'relationships', id: 'link', type: 'next', from: 'first', to: 'taken' },
          { op: 'create', id: 'taken', type: 'Item' },
        ],
      },
    });
    expect(failed.status).toBe(409);
    expect(failed.body.error).toMatchObject({ code: 'ALREADY_EXISTS', operationIndex: 3 });

    expect((await jsonRequest(server, tenant, 'GET', '/things/first')).status).toBe(404);
    expect((await jsonRequest(server, tenant, 'GET', '/relationships/link')).status).toBe(404);
    expect((await jsonRequest(server, tenant, 'GET', '/things/taken')).body).toMatchObject({ version: 1, data: {} });
    expect(await eventCount(tenant)).toBe(before);
  });

  it('appends one gap-free run for a successful batch', async () => {
    const before = await eventCount(tenant);
    const batch = await jsonRequest(server, tenant, 'POST', '/batch', {
      json: {
        operations: [
          { op: 'create', id: 'first', type: 'Item' },
          { op: 'create', collection: 'relationships', id: 'link', type: 'next', from: 'first', to: 'taken' },
          { op: 'delete', id: 'first' },
        ],
      },
    });
    expect(batch.status).toBe(200);
    // The delete cascades to the relationship, so four events.
    expect(batch.body).toMatchObject({ count: 3, events: 4, firstSeq: before + 1, lastSeq: before + 4 });
    expect(await eventCount(tenant)).toBe(before + 4);
  });
});

interface ErrorCase {
  name: string;
  tenant?: string;
  method: string;
  path: string;
  options?: JsonRequestOptions;
  status: number;
  code: string;
}

describe('JSON errors', () => {
  const tenant = 'contract-errors';
  const oversized = JSON.stringify({ type: 'Blob', data: 'x'.repeat(1024 * 1024) });
  const cases: ErrorCase[] = [
    { name: 'malformed JSON', method: 'POST', path: '/things', options: { body: '{"type": ', headers: { 'content-type': 'application/json' } }, status: 400, code: 'INVALID_JSON' },
    { name: 'missing type', method: 'POST', path: '/things', options: { json: { id: 'no-type' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'bad If-Match', method: 'PATCH', path: '/things/x', options: { json: {}, headers: { 'if-match': 'yesterday' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'bad cursor', method: 'GET', path: '/things?cursor=nope', status: 400, code: 'INVALID_CURSOR' },
    { name: 'invalid tenant host', tenant: 'not_a_slug', method: 'GET', path: '/stats', status: 400, code: 'INVALID_TENANT' },
    { name: 'admin without token', method: 'GET', path: '/admin/projections/checksum', status: 401, code: 'UNAUTHORIZED' },
    {
      name: 'admin with a wrong token',
      method: 'POST',
      path: '/admin/projections/rebuild',
      options: { headers: adminHeaders('wrong-token') },
      status: 401,
      code: 'UNAUTHORIZED',
    },
    { name: 'missing thing', method: 'GET', path: '/things/missing', status: 404, code: 'NOT_FOUND' },
    { name: 'unknown route', method: 'GET', path: '/no-such-route', status: 404, code: 'NOT_FOUND' },
    { name: 'method not served', method: 'DELETE', path: '/stats', status: 405, code: 'METHOD_NOT_ALLOWED' },
    { name: 'body over 1 MiB', method: 'POST', path: '/things', options: { body: oversized, headers: { 'content-type': 'application/json' } }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    {
      name: 'batch over 1000 operations',
      method: 'POST',
      path: '/batch',
      options: { json: { operations: Array.from({ length: 1001 }, (_, i) => ({ op: 'create', id: `n${i}`, type: 'N' })) } },
      status: 413,
      code: 'BATCH_TOO_LARGE',
    },
    { name: 'text body', method: 'POST', path: '/things', options: { body: 'type=Note', headers: { 'content-type': 'text/plain' } }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    {
      name: 'dangling relationship',
      method: 'POST',
      path: '/relationships',
      options: { json: { type: 'owns', from: 'ghost', to: 'ghost' } },
      status: 422,
      code: 'REFERENCE_NOT_FOUND',
    },
  ];

  for (const testCase of cases) {
    it(`returns ${testCase.status} for ${testCase.name}`, async () => {
      const response = await jsonRequest(server, testCase.tenant ?? tenant, testCase.method, testCase.path, testCase.options);

      expect(response.status, JSON.stringify(response.body)).toBe(testCase.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body.error.code).toBe(testCase.code);
      expect(typeof response.body.error.message).toBe('string');
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      if (testCase.tenant === undefined) expect(response.headers.get('x-tenant-id')).toBe(tenant);
    });
  }

  it('keeps serving after a body it did not read', async () => {
    // The tenant object responds to these before reading the body, and the Worker must still serve the next request.
    const body = JSON.stringify({ type: 'Blob', data: 'x'.repeat(512 * 1024) });
    const json = { 'content-type': 'application/json' };
    for (const [method, path, status] of [
      ['POST', '/no-such-route', 404],
      ['POST', '/stats', 405],
      ['PATCH', '/things/x', 400],
    ] as const) {
      const headers = path === '/things/x' ? { ...json, 'if-match': 'yesterday' } : json;
      const rejected = await jsonRequest(server, tenant, method, path, { body, headers });
      expect(rejected.status, `${method} ${path}`).toBe(status);

      const next = await jsonRequest(server, tenant, 'GET', '/stats', { timeoutMs: 5_000 });
      expect(next.status, `GET /stats after ${method} ${path}`).toBe(200);
    }
  });

  it('names the allowed methods on 405', async () => {
    const response = await jsonRequest(server, tenant, 'DELETE', '/stats');
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('asks for a bearer token on 401', async () => {
    const response = await jsonRequest(server, tenant, 'GET', '/admin/projections/checksum');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('appended nothing for any rejected request', async () => {
    expect(await eventCount(tenant)).toBe(0);
  });
});

describe('response headers', () => {
  const tenant = 'contract-headers';

  it('generates a distinct X-Request-ID per request', async () => {
    const first = await jsonRequest(server, tenant, 'GET', '/stats');
    const second = await jsonRequest(server, tenant, 'GET', '/stats');
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('echoes a valid client X-Request-ID into the event', async () => {
    const created = await create(tenant, { id: 'traced', type: 'Trace' }, { 'x-request-id': 'client-trace-42' });
    expect(created.headers.get('x-request-id')).toBe('client-trace-42');
    const events = await jsonRequest(server, tenant, 'GET', '/events?after=0');
    expect(events.body.items[0]).toMatchObject({ seq: 1, correlationId: 'client-trace-42' });
  });

  it('replaces an invalid client X-Request-ID', async () => {
    const response = await jsonRequest(server, tenant, 'GET', '/stats', { headers: { 'x-request-id': 'has spaces in it' } });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it('names the tenant in X-Tenant-ID', async () => {
    expect((await jsonRequest(server, tenant, 'GET', '/things/traced')).headers.get('x-tenant-id')).toBe(tenant);
    expect((await jsonRequest(server, null, 'GET', '/stats')).headers.get('x-tenant-id')).toBe('default');
  });
});

it('logs no code-generation or internal errors', () => {
  const output = server.output();
  expect(output).not.toMatch(/EvalError|Code generation from strings disallowed/);
  expect(output).not.toContain('tenant request failed');
});
