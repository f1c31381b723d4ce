import { describe, expect, it } from 'vitest';

import { call, countEvents, createRelationship, createThing, uniqueTenant } from './helpers';

/**
 * Table-driven check that no input produces a 500 or a partial write. Every
 * malformed input below goes to every write endpoint. Each response must be a 4xx
 * JSON error, and the tenant's event count must stay the same.
 */

type Endpoint = { method: string; path: string };

const WRITE_ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/things' },
  { method: 'PATCH', path: '/things/seed' },
  { method: 'PUT', path: '/things/seed' },
  { method: 'POST', path: '/relationships' },
  { method: 'POST', path: '/batch' },
];

const DELETE_ENDPOINTS: Endpoint[] = [
  { method: 'DELETE', path: '/things/seed' },
  { method: 'DELETE', path: '/relationships/seed-link' },
];

function nested(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

/** Bodies that no write endpoint accepts, as raw text. */
const MALFORMED_BODIES: Array<[label: string, body: string]> = [
  ['whitespace', '   '],
  ['null', 'null'],
  ['true', 'true'],
  ['number', '42'],
  ['string', '"thing"'],
  ['empty array', '[]'],
  ['array of objects', '[{"type":"T"}]'],
  ['open brace', '{'],
  ['close brace', '}'],
  ['trailing comma', '{"type":"T",}'],
  ['single quotes', "{'type':'T'}"],
  ['bare words', '{type: T}'],
  ['NaN literal', '{"type":"T","data":NaN}'],
  ['Infinity literal', '{"type":"T","data":Infinity}'],
  ['undefined literal', '{"type":"T","data":undefined}'],
  ['comment', '{"type":"T"} // note'],
  ['two documents', '{"type":"T"}{"type":"T"}'],
  ['NUL byte', '\u0000'],
  ['control character in string', '{"type":"a\u0001b"}'],
  ['type number', '{"type":1,"from":"seed","to":"seed","operations":1}'],
  ['type null', '{"type":null,"from":"seed","to":"seed","operations":null}'],
  ['type array', '{"type":[],"from":"seed","to":"seed","operations":{}}'],
  ['type object', '{"type":{},"from":"seed","to":"seed","operations":"x"}'],
  ['type empty', '{"type":"","from":"seed","to":"seed","operations":[]}'],
  ['type too long', JSON.stringify({ type: 'x'.repeat(129), from: 'seed', to: 'seed', operations: [{}] })],
  ['type star', JSON.stringify({ type: '*', from: 'seed', to: 'seed', operations: [null] })],
  ['id empty', '{"id":"","type":"T","from":"seed","to":"seed","operations":[{"op":"create","id":"","type":"T"}]}'],
  ['id huge', JSON.stringify({ id: 'a'.repeat(100_000), type: 'T', from: 'seed', to: 'seed', operations: [{ op: 'delete', id: 'a'.repeat(100_000) }] })],
  ['id unicode', JSON.stringify({ id: 'ü😀', type: 'T', from: 'seed', to: 'seed', operations: [{ op: 'delete', id: 'ü' }] })],
  ['id with slash', JSON.stringify({ id: 'a/b', type: 'T', from: 'seed', to: 'seed', operations: [{ op: 'delete', id: '../x' }] })],
  ['id number', '{"id":5,"type":"T","from":"seed","to":"seed","operations":[{"op":"delete","id":5}]}'],
  ['id null', '{"id":null,"type":"T","from":"seed","to":"seed","operations":[{"op":"update","id":null}]}'],
  ['ends unknown', '{"type":"T","data":[1],"x":1,"from":"ghost","to":"ghost","operations":[{"op":"create","collection":"relationships","from":"ghost","to":"seed","type":"k"}]}'],
  ['ends wrong type', '{"type":"T","data":1,"y":2,"from":["seed"],"to":{"id":"seed"},"operations":[{"op":"create","collection":"relationships","from":1,"to":2,"type":"k"}]}'],
  ['type and $type differ', '{"type":"A","$type":"B","from":"seed","to":"seed","verb":"V","operations":[{"op":"create","type":"A","$type":"B"}]}'],
  ['number overflow', '{"type":"T","data":1e400,"from":"seed","to":"seed","operations":[{"op":"create","type":"T","data":-1e400}]}'],
  ['deep nesting', `{"type":"T","data":${nested(5000)},"from":"seed","to":"seed","operations":${nested(5000)}}`],
  ['deep objects', `{"type":"T","data":${nested(300, '{"a":', '}').replace(/\{"a":\}/, '{"a":1}')},"operations":[]}`],
  ['lone surrogate', '{"type":"T\\ud800","data":"\\udfff","from":"seed","to":"seed","operations":[{"op":"create","type":"\\ud800"}]}'],
  ['__proto__ member', '{"type":"T","__proto__":{"polluted":true},"from":"seed","to":"seed","operations":[{"__proto__":{}}]}'],
  ['batch op unknown', '{"type":"T","data":"d","extra":1,"from":"seed","to":"seed","verb":"","operations":[{"op":"upsert","type":"T"}]}'],
  ['batch too large', JSON.stringify({ type: 'T', data: [], z: 1, from: 'seed', to: 'nowhere', type2: 1, operations: Array(1001).fill({ op: 'create', type: 'T' }) })],
  ['batch third op invalid', JSON.stringify({ data: [], q: 1, from: 'seed', operations: [{ op: 'create', type: 'T' }, { op: 'create', type: 'T' }, { op: 'update', id: 'missing' }] })],
  ['over one MiB', JSON.stringify({ type: 'T', data: 'x'.repeat(1024 * 1024), from: 'seed', to: 'seed', operations: [] })],
  ['numbers that grow', `{"type":"T","data":[${Array(220_000).fill('1e20').join(',')}],"from":"seed","to":"seed","operations":[]}`],
];

/** Header sets that make any write invalid whatever the body. */
const MALFORMED_HEADERS: Array<[label: string, headers: Record<string, string>]> = [
  ['If-Match text', { 'if-match': 'latest' }],
  ['If-Match list', { 'if-match': '"1", "2"' }],
  ['If-Match stale', { 'if-match': '"99"' }],
  ['If-Match negative', { 'if-match': '-1' }],
  ['If-Match huge', { 'if-match': '9'.repeat(40) }],
  ['Idempotency-Key too long', { 'idempotency-key': 'k'.repeat(300) }],
  ['Idempotency-Key with space', { 'idempotency-key': 'two words' }],
];

/** Read requests with malformed query parameters. */
const MALFORMED_QUERIES = [
  '/things?limit=0',
  '/things?limit=1001',
  '/things?limit=-5',
  '/things?limit=ten',
  '/things?limit=1e3',
  '/things?limit=99999999999999999999999',
  '/things?cursor=%%%',
  '/things?cursor=bm90LWpzb24',
  `/things?cursor=${btoa('{"after":7}')}`,
  `/things?cursor=${btoa('null')}`,
  '/things?cursor=%F0%9F%98%80',
  '/relationships?limit=0',
  '/relationships?cursor=@@',
  '/events?after=-1',
  '/events?after=x',
  '/events?after=1.5',
  '/events?limit=1001',
  '/events?limit=0',
  `/things/${'a'.repeat(5000)}`,
  '/things/%00',
  '/things/%C0%AF',
  '/relationships/%2e%2e',
];

async function seedTenant(prefix: string): Promise<string> {
  const tenant = uniqueTenant(prefix);
  await createThing(tenant, { id: 'seed', type: 'Seed', data: { n: 1 } });
  await createRelationship(tenant, { id: 'seed-link', from: 'seed', to: 'seed', type: 'self' });
  return tenant;
}

async function expectClientError(response: Response, label: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${label}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status === 405) return;
  expect(response.headers.get('content-type'), label).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(body.error?.code, label).toEqual(expect.any(String));
  expect(body.error?.message, label).toEqual(expect.any(String));
}

describe('malformed input', () => {
  it('malformed bodies on every write endpoint', { timeout: 120_000 }, async () => {
    const tenant = await seedTenant('malformed-body');
    const before = await countEvents(tenant);

    for (const { method, path } of WRITE_ENDPOINTS) {
      for (const [label, body] of MALFORMED_BODIES) {
        const response = await call(tenant, path, { method, headers: { 'content-type': 'application/json' }, body });
        await expectClientError(response, `${method} ${path} with ${label}`);
      }
    }

    expect(await countEvents(tenant)).toBe(before);
  });

  it('malformed headers on every write endpoint', { timeout: 60_000 }, async () => {
    const tenant = await seedTenant('malformed-headers');
    const before = await countEvents(tenant);
    const validBodies: Record<string, unknown> = {
      '/things': { type: 'T' },
      '/things/seed': { data: { n: 2 } },
      '/relationships': { from: 'seed', to: 'seed', type: 'again' },
      '/batch': { operations: [{ op: 'create', type: 'T' }] },
    };

    for (const { method, path } of [...WRITE_ENDPOINTS, ...DELETE_ENDPOINTS]) {
      for (const [label, headers] of MALFORMED_HEADERS) {
        // If-Match applies to updates and deletes of things only; elsewhere it is ignored.
        const checksIfMatch = path === '/things/seed';
        if ('if-match' in headers && !checksIfMatch) continue;
        const body = validBodies[path];
        const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
        if (body !== undefined && method !== 'DELETE') init.body = JSON.stringify(body);
        await expectClientError(await call(tenant, path, init), `${method} ${path} with ${label}`);
      }
    }

    expect(await countEvents(tenant)).toBe(before);
  });

  it('wrong media types on every write endpoint', { timeout: 60_000 }, async () => {
    const tenant = await seedTenant('malformed-media');
    const before = await countEvents(tenant);
    for (const { method, path } of WRITE_ENDPOINTS) {
      for (const contentType of ['text/plain', 'application/octet-stream', 'text/json']) {
        const response = await call(tenant, path, { method, headers: { 'content-type': contentType }, body: '{"type":"T"}' });
        expect(response.status, `${method} ${path} as ${contentType}`).toBe(415);
      }
      const empty = await call(tenant, path, { method, headers: { 'content-type': 'application/json' } });
      await expectClientError(empty, `${method} ${path} with no body`);
    }
    expect(await countEvents(tenant)).toBe(before);
  });

  it('oversized bodies on every write endpoint', { timeout: 60_000 }, async () => {
    const tenant = await seedTenant('malformed-size');
    const before = await countEvents(tenant);
    for (const { method, path } of WRITE_ENDPOINTS) {
      let chunks = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (chunks === 40) return controller.close();
          chunks += 1;
          controller.enqueue(new TextEncoder().encode(chunks === 1 ? '{"type":"T","data":"' : 'x'.repeat(32 * 1024)));
        },
      });
      const chunked = await call(tenant, path, { method, headers: { 'content-type': 'application/json' }, body: stream });
      expect(chunked.status, `${method} ${path} chunked`).toBe(413);

      const declared = await call(tenant, path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: `{"type":"T","data":"${'y'.repeat(1024 * 1024)}"}`,
      });
      expect(declared.status, `${method} ${path} with Content-Length`).toBe(413);
    }
    expect(await countEvents(tenant)).toBe(before);
  });

  it('malformed query parameters and path ids', { timeout: 60_000 }, async () => {
    const tenant = await seedTenant('malformed-query');
    for (const path of MALFORMED_QUERIES) {
      await expectClientError(await call(tenant, path), `GET ${path}`);
      await expectClientError(await call(tenant, path, { method: 'DELETE' }), `DELETE ${path}`);
    }
  });
});
