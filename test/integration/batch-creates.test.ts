import { describe, expect, it } from 'vitest';

import { call, countEvents, createThing, expectError, sendJson, type ThingBody, uniqueTenant } from './helpers';

function batch(tenant: string, operations: unknown): Promise<Response> {
  return sendJson(tenant, 'POST', '/batch', { operations });
}

const creates = (prefix: string, count: number) => Array.from({ length: count }, (_, n) => ({ op: 'create', id: `${prefix}-${n}`, type: 'T', data: { n } }));

describe('POST /batch creates', () => {
  it('rejects an id repeated inside the batch at its second create', async () => {
    const tenant = uniqueTenant('batch-repeat');
    const eventsBefore = await countEvents(tenant);

    // The repeat sits in the middle of a run of creates that the projection inserts with multi-row statements.
    const operations = [...creates('x', 30), { op: 'create', id: 'x-7', type: 'T' }, ...creates('y', 30)];
    const error = await expectError(await batch(tenant, operations), 409, 'ALREADY_EXISTS');

    expect(error.operationIndex).toBe(30);
    expect(error.id).toBe('x-7');
    expect(await countEvents(tenant)).toBe(eventsBefore);
    expect((await call(tenant, '/things/x-0')).status).toBe(404);
  });

  it('rejects a create of an id the batch updated', async () => {
    const tenant = uniqueTenant('batch-update-create');
    await createThing(tenant, { id: 'kept', type: 'T', data: { n: 0 } });

    const error = await expectError(
      await batch(tenant, [...creates('a', 5), { op: 'update', id: 'kept', data: { n: 1 } }, { op: 'create', id: 'kept', type: 'T' }]),
      409,
      'ALREADY_EXISTS',
    );
    expect(error.operationIndex).toBe(6);
    expect((await (await call(tenant, '/things/kept')).json<ThingBody>()).version).toBe(1);
  });

  it('rejects a create of an id that exists before the batch', async () => {
    const tenant = uniqueTenant('batch-existing');
    await createThing(tenant, { id: 'a-3', type: 'T' });

    const error = await expectError(await batch(tenant, creates('a', 10)), 409, 'ALREADY_EXISTS');
    expect(error.operationIndex).toBe(3);
  });

  it('re-creates a deleted id with the next version', async () => {
    const tenant = uniqueTenant('batch-recreate');
    await createThing(tenant, { id: 'old', type: 'T', data: { n: 0 } });
    await sendJson(tenant, 'PATCH', '/things/old', { data: { n: 1 } });
    await call(tenant, '/things/old', { method: 'DELETE' });

    const response = await batch(tenant, [
      ...creates('b', 3),
      { op: 'create', id: 'old', type: 'T', data: { n: 2 } },
      { op: 'create', id: 'again', type: 'T' },
      { op: 'delete', id: 'again' },
      { op: 'create', id: 'again', type: 'U' },
      ...creates('c', 3),
    ]);
    expect(response.status).toBe(200);
    const body = await response.json<{ results: Array<{ id: string; version?: number }> }>();
    expect(body.results[3]).toMatchObject({ id: 'old', version: 3 });
    expect(body.results[6]).toMatchObject({ id: 'again', version: 2 });

    const old = await (await call(tenant, '/things/old')).json<ThingBody>();
    expect(old).toMatchObject({ version: 3, data: { n: 2 } });
    const again = await (await call(tenant, '/things/again')).json<ThingBody>();
    expect(again).toMatchObject({ version: 2, type: 'U' });
    const stats = await (await call(tenant, '/stats')).json<{ thingCount: number }>();
    expect(stats.thingCount).toBe(8);
  });

  it('generates distinct ids for creates without one', async () => {
    const tenant = uniqueTenant('batch-generated');
    const response = await batch(tenant, Array.from({ length: 40 }, () => ({ op: 'create', type: 'T' })));
    expect(response.status).toBe(200);
    const body = await response.json<{ results: Array<{ id: string }> }>();
    expect(new Set(body.results.map((result) => result.id)).size).toBe(40);
    const list = await (await call(tenant, '/things?limit=100')).json<{ count: number }>();
    expect(list.count).toBe(40);
  });
});
