import { describe, expect, it } from 'vitest';

import {
  call,
  countEvents,
  createThing,
  expectError,
  sendJson,
  type ThingBody,
  uniqueTenant,
  useManualClock,
} from './helpers';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface ThingList {
  items: ThingBody[];
  count: number;
  cursor: string | null;
}

describe('POST /things', () => {
  it('declares the UTF-8 length of its body', async () => {
    const tenant = uniqueTenant('length');
    const response = await sendJson(tenant, 'POST', '/things', { id: 'zoe', type: 'User', data: { name: 'Zoë 🙂' } });

    expect(response.status).toBe(201);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
  });

  it('creates a thing with ETag and Location', async () => {
    const tenant = uniqueTenant('create');
    await useManualClock(tenant, Date.UTC(2030, 0, 2, 3, 4, 5, 678));

    const response = await sendJson(tenant, 'POST', '/things', { id: 'user-1', type: 'User', data: { name: 'Ada' } });

    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.headers.get('location')).toBe('/things/user-1');
    expect(response.headers.get('x-tenant-id')).toBe(tenant);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      id: 'user-1',
      type: 'User',
      data: { name: 'Ada' },
      version: 1,
      createdAt: '2030-01-02T03:04:05.678Z',
      updatedAt: '2030-01-02T03:04:05.678Z',
      seq: 1,
    });
  });

  it('accepts $type in place of type', async () => {
    const tenant = uniqueTenant('dollar');
    const thing = await createThing(tenant, { id: 's', $type: 'Secret', data: 'tenant-a-secret' });
    expect(thing.type).toBe('Secret');
    expect(thing.data).toBe('tenant-a-secret');
  });

  it('accepts type and $type when they agree', async () => {
    const tenant = uniqueTenant('both-types');
    const thing = await createThing(tenant, { type: 'A', $type: 'A' });
    expect(thing.type).toBe('A');
  });

  it('rejects type and $type that differ', async () => {
    const tenant = uniqueTenant('types-differ');
    await expectError(await sendJson(tenant, 'POST', '/things', { type: 'A', $type: 'B' }), 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(0);
  });

  it('generates a UUIDv7 id when none is given', async () => {
    const tenant = uniqueTenant('generated');
    const first = await createThing(tenant, { type: 'T' });
    const second = await createThing(tenant, { type: 'T' });
    expect(first.id).toMatch(UUID_V7);
    expect(second.id).toMatch(UUID_V7);
    expect(second.id > first.id).toBe(true);
  });

  it('stores any JSON value as data', async () => {
    const tenant = uniqueTenant('any-json');
    const values: unknown[] = ['text', 0, -1.5, 1e21, true, false, null, [], [1, 'two', null], {}, { nested: { deep: [1, { x: null }] } }, 'ünïcødé 😀'];
    for (const [index, value] of values.entries()) {
      const created = await createThing(tenant, { id: `v${index}`, type: 'Value', data: value });
      expect(created.data, JSON.stringify(value)).toEqual(value);
      const read = await call(tenant, `/things/v${index}`);
      expect((await read.json<ThingBody>()).data, JSON.stringify(value)).toEqual(value);
    }
  });

  it('defaults data to an empty object', async () => {
    const tenant = uniqueTenant('no-data');
    expect((await createThing(tenant, { type: 'T' })).data).toEqual({});
  });

  it('moves other top-level fields into data', async () => {
    const tenant = uniqueTenant('extras');
    const thing = await createThing(tenant, { id: 'o1', type: 'Order', total: 12, data: { currency: 'EUR' } });
    expect(thing.data).toEqual({ currency: 'EUR', total: 12 });
  });

  it('keeps fields named like batch options as data', async () => {
    const tenant = uniqueTenant('batch-names');
    const fields = { mode: 'express', op: 'pack', collection: 'spring', ifMatch: 'x', version: 7 };
    const thing = await createThing(tenant, { id: 'o2', type: 'Order', ...fields });
    expect(thing.data).toEqual(fields);
  });

  it('extra fields need object data', async () => {
    const tenant = uniqueTenant('extras-scalar');
    const response = await sendJson(tenant, 'POST', '/things', { type: 'T', data: [1], extra: true });
    await expectError(response, 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(0);
  });

  it('rejects a missing type', async () => {
    const tenant = uniqueTenant('no-type');
    await expectError(await sendJson(tenant, 'POST', '/things', { id: 'x' }), 400, 'VALIDATION_FAILED');
  });

  it('rejects "*" as a type', async () => {
    const tenant = uniqueTenant('star-type');
    await expectError(await sendJson(tenant, 'POST', '/things', { type: '*' }), 400, 'VALIDATION_FAILED');
  });

  it('rejects an existing id with 409 and appends nothing', async () => {
    const tenant = uniqueTenant('duplicate');
    await createThing(tenant, { id: 'same', type: 'T' });
    const error = await expectError(await sendJson(tenant, 'POST', '/things', { id: 'same', type: 'T' }), 409, 'ALREADY_EXISTS');
    expect(error.id).toBe('same');
    expect(await countEvents(tenant)).toBe(1);
  });

  it('accepts ids of 256 characters and rejects longer ones', async () => {
    const tenant = uniqueTenant('long-id');
    await createThing(tenant, { id: 'a'.repeat(256), type: 'T' });
    await expectError(await sendJson(tenant, 'POST', '/things', { id: 'a'.repeat(257), type: 'T' }), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /things/:id', () => {
  it('returns the thing with its ETag', async () => {
    const tenant = uniqueTenant('get');
    const created = await createThing(tenant, { id: 'g', type: 'T', data: { a: 1 } });
    const response = await call(tenant, '/things/g');
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(await response.json()).toEqual(created);
  });

  it('returns a JSON 404 for a missing thing', async () => {
    const tenant = uniqueTenant('missing');
    const error = await expectError(await call(tenant, '/things/nope'), 404, 'NOT_FOUND');
    expect(error.id).toBe('nope');
  });

  it('rejects an id that no thing can have', async () => {
    const tenant = uniqueTenant('bad-id');
    await expectError(await call(tenant, '/things/-leading-dash'), 400, 'VALIDATION_FAILED');
  });

  it('serves ids with reserved characters, encoded or not', async () => {
    const tenant = uniqueTenant('encoded');
    const created = await sendJson(tenant, 'POST', '/things', { id: 'user:42@example.org', type: 'T' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/things/user%3A42%40example.org');

    for (const path of ['/things/user%3A42%40example.org', '/things/user:42@example.org', '/things/user%3a42%40example.org']) {
      const response = await call(tenant, path);
      expect(response.status, path).toBe(200);
      expect((await response.json<ThingBody>()).id).toBe('user:42@example.org');
    }

    const patched = await sendJson(tenant, 'PATCH', '/things/user%3A42%40example.org', { data: { a: 1 } });
    expect(patched.status).toBe(200);
    expect((await call(tenant, '/things/user%3A42%40example.org', { method: 'DELETE' })).status).toBe(204);
  });

  it('rejects encoded slash and bad encoding', async () => {
    const tenant = uniqueTenant('bad-encoding');
    await expectError(await call(tenant, '/things/a%2Fb'), 400, 'VALIDATION_FAILED');
    await expectError(await call(tenant, '/things/%ZZ'), 400, 'VALIDATION_FAILED');
    await expectError(await call(tenant, '/things/%E0%A4%A'), 400, 'VALIDATION_FAILED');
  });

  it('HEAD has headers and no body', async () => {
    const tenant = uniqueTenant('head');
    await createThing(tenant, { id: 'h', type: 'T', data: { a: 1 } });

    const found = await call(tenant, '/things/h', { method: 'HEAD' });
    expect(found.status).toBe(200);
    expect(found.headers.get('etag')).toBe('"1"');
    expect(found.headers.get('x-tenant-id')).toBe(tenant);
    expect(await found.text()).toBe('');

    const missing = await call(tenant, '/things/none', { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
    expect(await countEvents(tenant)).toBe(1);
  });
});

describe('PATCH /things/:id', () => {
  it('merge-patches data and bumps the version', async () => {
    const tenant = uniqueTenant('patch');
    const clock = await useManualClock(tenant, Date.UTC(2030, 0, 1));
    await createThing(tenant, { id: 'p', type: 'T', data: { keep: 1, drop: 2, nested: { a: 1, b: 2 } } });
    clock.advance(60_000);

    const response = await sendJson(tenant, 'PATCH', '/things/p', { data: { drop: null, nested: { b: null, c: 3 }, added: true } });

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    const thing = await response.json<ThingBody>();
    expect(thing.data).toEqual({ keep: 1, nested: { a: 1, c: 3 }, added: true });
    expect(thing.version).toBe(2);
    expect(thing.seq).toBe(2);
    expect(thing.createdAt).toBe('2030-01-01T00:00:00.000Z');
    expect(thing.updatedAt).toBe('2030-01-01T00:01:00.000Z');
  });

  it('merges top-level fields into data', async () => {
    const tenant = uniqueTenant('patch-extras');
    await createThing(tenant, { id: 'p', type: 'T', data: { a: 1 } });
    const thing = await (await sendJson(tenant, 'PATCH', '/things/p', { b: 2 })).json<ThingBody>();
    expect(thing.data).toEqual({ a: 1, b: 2 });
  });

  it('type-only patch keeps data', async () => {
    const tenant = uniqueTenant('patch-type');
    await createThing(tenant, { id: 'text', type: 'Note', data: 'keep this text' });
    await createThing(tenant, { id: 'list', type: 'Note', data: [1, 2] });

    for (const id of ['text', 'list']) {
      const response = await sendJson(tenant, 'PATCH', `/things/${id}`, { type: 'Memo' });
      expect(response.status).toBe(200);
      const thing = await response.json<ThingBody>();
      expect(thing.type).toBe('Memo');
      expect(thing.version).toBe(2);
    }
    expect((await (await call(tenant, '/things/text')).json<ThingBody>()).data).toBe('keep this text');
    expect((await (await call(tenant, '/things/list')).json<ThingBody>()).data).toEqual([1, 2]);

    const stats = await (await call(tenant, '/stats')).json<{ byType: Record<string, number> }>();
    expect(stats.byType).toEqual({ Memo: 2 });
  });

  it('non-object patch replaces data', async () => {
    const tenant = uniqueTenant('patch-scalar');
    await createThing(tenant, { id: 'p', type: 'T', data: { a: 1 } });
    const thing = await (await sendJson(tenant, 'PATCH', '/things/p', { data: [1, 2] })).json<ThingBody>();
    expect(thing.data).toEqual([1, 2]);
    const nulled = await (await sendJson(tenant, 'PATCH', '/things/p', { data: null })).json<ThingBody>();
    expect(nulled.data).toBeNull();
  });

  it('rejects a body id that differs from the path', async () => {
    const tenant = uniqueTenant('patch-id');
    await createThing(tenant, { id: 'p', type: 'T' });
    await expectError(await sendJson(tenant, 'PATCH', '/things/p', { id: 'q', data: {} }), 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(1);
  });

  it('returns 404 for a missing thing and appends nothing', async () => {
    const tenant = uniqueTenant('patch-missing');
    await expectError(await sendJson(tenant, 'PATCH', '/things/none', { data: { a: 1 } }), 404, 'NOT_FOUND');
    expect(await countEvents(tenant)).toBe(0);
  });

  it('requires a JSON object body', async () => {
    const tenant = uniqueTenant('patch-body');
    await createThing(tenant, { id: 'p', type: 'T' });
    await expectError(await sendJson(tenant, 'PATCH', '/things/p', [1]), 400, 'VALIDATION_FAILED');
    await expectError(await call(tenant, '/things/p', { method: 'PATCH' }), 400, 'VALIDATION_FAILED');
  });
});

describe('PUT /things/:id', () => {
  it('replaces data', async () => {
    const tenant = uniqueTenant('put');
    await createThing(tenant, { id: 'r', type: 'T', data: { a: 1, b: 2 } });
    const response = await sendJson(tenant, 'PUT', '/things/r', { data: { c: 3 } });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    const thing = await response.json<ThingBody>();
    expect(thing.data).toEqual({ c: 3 });
    expect(thing.type).toBe('T');
  });

  it('stores null data as null', async () => {
    const tenant = uniqueTenant('put-null');
    await createThing(tenant, { id: 'r', type: 'T', data: { a: 1 } });
    const thing = await (await sendJson(tenant, 'PUT', '/things/r', { data: null })).json<ThingBody>();
    expect(thing.data).toBeNull();
  });

  it('type change moves lists and stats', async () => {
    const tenant = uniqueTenant('put-type');
    await createThing(tenant, { id: 'r', type: 'Draft', data: {} });
    await createThing(tenant, { id: 's', type: 'Draft', data: {} });

    const response = await sendJson(tenant, 'PUT', '/things/r', { type: 'Published', data: { title: 'x' } });
    expect(response.status).toBe(200);

    const stats = await (await call(tenant, '/stats')).json<{ byType: Record<string, number>; thingCount: number }>();
    expect(stats.byType).toEqual({ Draft: 1, Published: 1 });
    expect(stats.thingCount).toBe(2);
    const drafts = await (await call(tenant, '/things?type=Draft')).json<ThingList>();
    expect(drafts.items.map((thing) => thing.id)).toEqual(['s']);
    const published = await (await call(tenant, '/things?type=Published')).json<ThingList>();
    expect(published.items.map((thing) => thing.id)).toEqual(['r']);
  });

  it('rejects a body without data', async () => {
    const tenant = uniqueTenant('put-empty');
    await createThing(tenant, { id: 'r', type: 'T', data: { a: 1 } });
    await expectError(await sendJson(tenant, 'PUT', '/things/r', { type: 'U' }), 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(1);
  });
});

describe('DELETE /things/:id', () => {
  it('deletes with 204 and an empty body', async () => {
    const tenant = uniqueTenant('delete');
    await createThing(tenant, { id: 'd', type: 'T' });
    const response = await call(tenant, '/things/d', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('x-tenant-id')).toBe(tenant);
    await expectError(await call(tenant, '/things/d'), 404, 'NOT_FOUND');
  });

  it('returns 404 for a missing thing and appends nothing', async () => {
    const tenant = uniqueTenant('delete-missing');
    await expectError(await call(tenant, '/things/none', { method: 'DELETE' }), 404, 'NOT_FOUND');
    expect(await countEvents(tenant)).toBe(0);
  });

  it('lets the id be created again after a delete', async () => {
    const tenant = uniqueTenant('recreate');
    await createThing(tenant, { id: 'd', type: 'T', data: { first: true } });
    await call(tenant, '/things/d', { method: 'DELETE' });
    const again = await createThing(tenant, { id: 'd', type: 'T', data: { second: true } });
    // Versions continue from the deleted thing, so its ETag "1" cannot match the new one.
    expect(again.version).toBe(2);
    expect(again.seq).toBe(3);
  });
});

describe('GET /things', () => {
  async function seed(tenant: string): Promise<void> {
    for (const [id, type] of [
      ['a1', 'A'],
      ['b1', 'B'],
      ['a2', 'A'],
      ['c1', 'C'],
      ['a3', 'A'],
    ] as const) {
      await createThing(tenant, { id, type, data: { id } });
    }
  }

  it('lists every type by default or type=*', async () => {
    const tenant = uniqueTenant('list-all');
    await seed(tenant);
    for (const query of ['', '?type=*', '?type=']) {
      const list = await (await call(tenant, `/things${query}`)).json<ThingList>();
      expect(list.items.map((thing) => thing.id), query).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
      expect(list.count).toBe(5);
      expect(list.cursor).toBeNull();
    }
  });

  it('filters by type', async () => {
    const tenant = uniqueTenant('list-type');
    await seed(tenant);
    const list = await (await call(tenant, '/things?type=A')).json<ThingList>();
    expect(list.items.map((thing) => thing.id)).toEqual(['a1', 'a2', 'a3']);
    expect(list.items[0]).toMatchObject({ type: 'A', data: { id: 'a1' }, version: 1 });
    expect(list.count).toBe(3);

    const none = await (await call(tenant, '/things?type=Missing')).json<ThingList>();
    expect(none).toEqual({ items: [], count: 0, cursor: null });
  });

  it('pages with limit and cursor', async () => {
    const tenant = uniqueTenant('list-page');
    await seed(tenant);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const list: ThingList = await (await call(tenant, `/things?limit=2${query}`)).json<ThingList>();
      expect(list.count).toBe(5);
      expect(list.items.length).toBeLessThanOrEqual(2);
      seen.push(...list.items.map((thing) => thing.id));
      cursor = list.cursor;
      pages += 1;
    } while (cursor !== null);

    expect(pages).toBe(3);
    expect(seen).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
  });

  it('pages within one type', async () => {
    const tenant = uniqueTenant('list-type-page');
    await seed(tenant);
    const first = await (await call(tenant, '/things?type=A&limit=2')).json<ThingList>();
    expect(first.items.map((thing) => thing.id)).toEqual(['a1', 'a2']);
    expect(first.count).toBe(3);
    const second = await (await call(tenant, `/things?type=A&limit=2&cursor=${first.cursor}`)).json<ThingList>();
    expect(second.items.map((thing) => thing.id)).toEqual(['a3']);
    expect(second.cursor).toBeNull();
  });

  it('rejects limits outside 1..1000 and malformed cursors', async () => {
    const tenant = uniqueTenant('list-bad');
    for (const query of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=1e2']) {
      await expectError(await call(tenant, `/things?${query}`), 400, 'VALIDATION_FAILED');
    }
    for (const cursor of ['not-a-cursor', btoa('{"after":1}'), btoa('[]'), '%%%']) {
      await expectError(await call(tenant, `/things?cursor=${encodeURIComponent(cursor)}`), 400, 'INVALID_CURSOR');
    }
  });

  it('accepts limit=1000', async () => {
    const tenant = uniqueTenant('list-max');
    await seed(tenant);
    const list = await (await call(tenant, '/things?limit=1000')).json<ThingList>();
    expect(list.items).toHaveLength(5);
  });
});
