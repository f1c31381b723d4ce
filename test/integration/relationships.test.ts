import { describe, expect, it } from 'vitest';

import {
  call,
  countEvents,
  createRelationship,
  createThing,
  expectError,
  readAllEvents,
  sendJson,
  uniqueTenant,
} from './helpers';

interface RelationshipBody {
  id: string;
  type: string;
  from: string;
  to: string;
  data: unknown;
  createdAt: string;
  seq: number;
}

interface RelationshipList {
  items: RelationshipBody[];
  count: number;
  cursor: string | null;
}

async function seedThings(tenant: string, ids: string[]): Promise<void> {
  for (const id of ids) await createThing(tenant, { id, type: 'Person' });
}

describe('POST /relationships', () => {
  it('creates a relationship between two things', async () => {
    const tenant = uniqueTenant('rel-create');
    await seedThings(tenant, ['ada', 'bob']);

    const response = await sendJson(tenant, 'POST', '/relationships', { id: 'r1', from: 'ada', to: 'bob', type: 'knows', data: { since: 2020 } });

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/relationships/r1');
    expect(response.headers.get('x-tenant-id')).toBe(tenant);
    const body = await response.json<RelationshipBody>();
    expect(body).toEqual({
      id: 'r1',
      type: 'knows',
      from: 'ada',
      to: 'bob',
      data: { since: 2020 },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      seq: 3,
    });
  });

  it('accepts verb as the type and generates an id', async () => {
    const tenant = uniqueTenant('rel-verb');
    await seedThings(tenant, ['a', 'b']);
    const body = await createRelationship(tenant, { from: 'a', to: 'b', verb: 'follows' });
    expect(body.type).toBe('follows');
    expect(body.data).toEqual({});
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('accepts a relationship from a thing to itself', async () => {
    const tenant = uniqueTenant('rel-self');
    await seedThings(tenant, ['a']);
    const body = await createRelationship(tenant, { id: 'loop', from: 'a', to: 'a', type: 'likes' });
    expect(body.from).toBe('a');
    expect(body.to).toBe('a');
  });

  it('rejects conflicting or missing type', async () => {
    const tenant = uniqueTenant('rel-type');
    await seedThings(tenant, ['a', 'b']);
    await expectError(await sendJson(tenant, 'POST', '/relationships', { from: 'a', to: 'b', type: 'x', verb: 'y' }), 400, 'VALIDATION_FAILED');
    await expectError(await sendJson(tenant, 'POST', '/relationships', { from: 'a', to: 'b' }), 400, 'VALIDATION_FAILED');
    expect(await countEvents(tenant)).toBe(2);
  });

  it('rejects unknown fields', async () => {
    const tenant = uniqueTenant('rel-strict');
    await seedThings(tenant, ['a', 'b']);
    const error = await expectError(
      await sendJson(tenant, 'POST', '/relationships', { from: 'a', to: 'b', type: 'knows', since: 2020 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.message).toContain('since');
    expect(await countEvents(tenant)).toBe(2);
  });

  it('missing end gets 422', async () => {
    const tenant = uniqueTenant('rel-missing-end');
    await seedThings(tenant, ['a']);
    const fromMissing = await expectError(
      await sendJson(tenant, 'POST', '/relationships', { from: 'ghost', to: 'a', type: 'knows' }),
      422,
      'REFERENCE_NOT_FOUND',
    );
    expect(fromMissing).toMatchObject({ field: 'from', id: 'ghost' });
    const toMissing = await expectError(
      await sendJson(tenant, 'POST', '/relationships', { from: 'a', to: 'ghost', type: 'knows' }),
      422,
      'REFERENCE_NOT_FOUND',
    );
    expect(toMissing).toMatchObject({ field: 'to', id: 'ghost' });
    expect(await countEvents(tenant)).toBe(1);
  });

  it('rejects an existing id with 409', async () => {
    const tenant = uniqueTenant('rel-dup');
    await seedThings(tenant, ['a', 'b']);
    await createRelationship(tenant, { id: 'r', from: 'a', to: 'b', type: 'knows' });
    await expectError(await sendJson(tenant, 'POST', '/relationships', { id: 'r', from: 'b', to: 'a', type: 'knows' }), 409, 'ALREADY_EXISTS');
    expect(await countEvents(tenant)).toBe(3);
  });

  it('rejects missing or invalid ends', async () => {
    const tenant = uniqueTenant('rel-invalid');
    for (const body of [{ to: 'a', type: 't' }, { from: 'a', type: 't' }, { from: 5, to: 'a', type: 't' }, { from: 'a b', to: 'a', type: 't' }]) {
      await expectError(await sendJson(tenant, 'POST', '/relationships', body), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('GET /relationships', () => {
  async function seedGraph(tenant: string): Promise<void> {
    await seedThings(tenant, ['a', 'b', 'c']);
    await createRelationship(tenant, { id: 'r1', from: 'a', to: 'b', type: 'knows' });
    await createRelationship(tenant, { id: 'r2', from: 'a', to: 'c', type: 'likes' });
    await createRelationship(tenant, { id: 'r3', from: 'b', to: 'c', type: 'knows' });
    await createRelationship(tenant, { id: 'r4', from: 'c', to: 'a', type: 'knows' });
  }

  async function ids(tenant: string, query: string): Promise<{ ids: string[]; count: number }> {
    const list = await (await call(tenant, `/relationships${query}`)).json<RelationshipList>();
    return { ids: list.items.map((item) => item.id), count: list.count };
  }

  it('filters by from, to and type in any combination', async () => {
    const tenant = uniqueTenant('rel-filter');
    await seedGraph(tenant);
    expect(await ids(tenant, '')).toEqual({ ids: ['r1', 'r2', 'r3', 'r4'], count: 4 });
    expect(await ids(tenant, '?type=*')).toEqual({ ids: ['r1', 'r2', 'r3', 'r4'], count: 4 });
    expect(await ids(tenant, '?from=a')).toEqual({ ids: ['r1', 'r2'], count: 2 });
    expect(await ids(tenant, '?to=c')).toEqual({ ids: ['r2', 'r3'], count: 2 });
    expect(await ids(tenant, '?type=knows')).toEqual({ ids: ['r1', 'r3', 'r4'], count: 3 });
    expect(await ids(tenant, '?verb=likes')).toEqual({ ids: ['r2'], count: 1 });
    expect(await ids(tenant, '?from=a&type=knows')).toEqual({ ids: ['r1'], count: 1 });
    expect(await ids(tenant, '?from=b&to=c&type=knows')).toEqual({ ids: ['r3'], count: 1 });
    expect(await ids(tenant, '?from=nobody')).toEqual({ ids: [], count: 0 });
  });

  it('pages with limit and cursor', async () => {
    const tenant = uniqueTenant('rel-page');
    await seedGraph(tenant);
    const first = await (await call(tenant, '/relationships?type=knows&limit=2')).json<RelationshipList>();
    expect(first.items.map((item) => item.id)).toEqual(['r1', 'r3']);
    expect(first.count).toBe(3);
    expect(first.cursor).not.toBeNull();
    const second = await (await call(tenant, `/relationships?type=knows&limit=2&cursor=${first.cursor}`)).json<RelationshipList>();
    expect(second.items.map((item) => item.id)).toEqual(['r4']);
    expect(second.cursor).toBeNull();
  });

  it('rejects a bad limit or cursor', async () => {
    const tenant = uniqueTenant('rel-bad-query');
    await expectError(await call(tenant, '/relationships?limit=0'), 400, 'VALIDATION_FAILED');
    await expectError(await call(tenant, '/relationships?cursor=garbage'), 400, 'INVALID_CURSOR');
  });

  it('reads one relationship by id', async () => {
    const tenant = uniqueTenant('rel-get');
    await seedGraph(tenant);
    const response = await call(tenant, '/relationships/r2');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'r2', from: 'a', to: 'c', type: 'likes' });
    await expectError(await call(tenant, '/relationships/none'), 404, 'NOT_FOUND');
  });
});

describe('DELETE /relationships/:id', () => {
  it('deletes with 204', async () => {
    const tenant = uniqueTenant('rel-delete');
    await seedThings(tenant, ['a', 'b']);
    await createRelationship(tenant, { id: 'r', from: 'a', to: 'b', type: 'knows' });
    const response = await call(tenant, '/relationships/r', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectError(await call(tenant, '/relationships/r'), 404, 'NOT_FOUND');
    const stats = await (await call(tenant, '/stats')).json<{ relationshipCount: number }>();
    expect(stats.relationshipCount).toBe(0);
  });

  it('returns 404 for a missing relationship and appends nothing', async () => {
    const tenant = uniqueTenant('rel-delete-missing');
    await expectError(await call(tenant, '/relationships/none', { method: 'DELETE' }), 404, 'NOT_FOUND');
    expect(await countEvents(tenant)).toBe(0);
  });
});

describe('deleting a thing', () => {
  it('cascades to its relationships as events', async () => {
    const tenant = uniqueTenant('cascade');
    await seedThings(tenant, ['a', 'b', 'c']);
    await createRelationship(tenant, { id: 'out', from: 'a', to: 'b', type: 'knows' });
    await createRelationship(tenant, { id: 'in', from: 'c', to: 'a', type: 'knows' });
    await createRelationship(tenant, { id: 'loop', from: 'a', to: 'a', type: 'likes' });
    await createRelationship(tenant, { id: 'other', from: 'b', to: 'c', type: 'knows' });

    const response = await call(tenant, '/things/a', { method: 'DELETE', headers: { 'x-request-id': 'cascade-request' } });
    expect(response.status).toBe(204);

    const list = await (await call(tenant, '/relationships')).json<RelationshipList>();
    expect(list.items.map((item) => item.id)).toEqual(['other']);

    const events = await readAllEvents(tenant);
    const tail = events.slice(-4);
    expect(tail.map((event) => event.type)).toEqual(['thing.deleted', 'relationship.deleted', 'relationship.deleted', 'relationship.deleted']);
    const [thingDeleted, ...relationshipsDeleted] = tail;
    expect(thingDeleted!.causationId).toBeNull();
    expect(relationshipsDeleted.map((event) => event.payload)).toEqual([
      { id: 'in', cascadeFrom: 'a' },
      { id: 'loop', cascadeFrom: 'a' },
      { id: 'out', cascadeFrom: 'a' },
    ]);
    for (const event of tail) {
      expect(event.correlationId).toBe('cascade-request');
    }
    for (const event of relationshipsDeleted) {
      expect(event.causationId).toBe(thingDeleted!.id);
    }

    const stats = await (await call(tenant, '/stats')).json<{ thingCount: number; relationshipCount: number }>();
    expect(stats).toMatchObject({ thingCount: 2, relationshipCount: 1 });
  });
});
