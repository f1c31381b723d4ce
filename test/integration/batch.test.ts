import { describe, expect, it } from 'vitest';

import { verifyChain } from '../../events/hash';
import { call, countEvents, createThing, expectError, readAllEvents, sendJson, type ThingBody, uniqueTenant } from './helpers';

interface BatchBody {
  results: Array<Record<string, unknown>>;
  count: number;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

function batch(tenant: string, operations: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return sendJson(tenant, 'POST', '/batch', { operations }, headers);
}

async function readThing(tenant: string, id: string): Promise<ThingBody> {
  return (await call(tenant, `/things/${id}`)).json<ThingBody>();
}

describe('POST /batch', () => {
  it('runs mixed operations in order and summarises each', async () => {
    const tenant = uniqueTenant('batch-mixed');
    await createThing(tenant, { id: 'old', type: 'T' });

    const response = await batch(tenant, [
      { op: 'create', id: 'a', type: 'Person', data: { name: 'Ada' } },
      { op: 'create', id: 'b', $type: 'Person', name: 'Bob' },
      { op: 'update', id: 'a', data: { age: 36 } },
      { op: 'update', id: 'b', mode: 'replace', data: { name: 'Robert' }, ifMatch: '"1"' },
      { op: 'create', collection: 'relationships', id: 'r', from: 'a', to: 'b', type: 'knows' },
      { op: 'create', collection: 'relationships', id: 'r2', from: 'b', to: 'a', verb: 'knows' },
      { op: 'delete', collection: 'relationships', id: 'r2' },
      { op: 'delete', id: 'old', version: 1 },
    ]);

    expect(response.status).toBe(200);
    const body = await response.json<BatchBody>();
    expect(body).toEqual({
      results: [
        { op: 'create', collection: 'things', id: 'a', type: 'Person', version: 1, seq: 2 },
        { op: 'create', collection: 'things', id: 'b', type: 'Person', version: 1, seq: 3 },
        { op: 'update', collection: 'things', id: 'a', type: 'Person', version: 2, seq: 4 },
        { op: 'update', collection: 'things', id: 'b', type: 'Person', version: 2, seq: 5 },
        { op: 'create', collection: 'relationships', id: 'r', type: 'knows', from: 'a', to: 'b', seq: 6 },
        { op: 'create', collection: 'relationships', id: 'r2', type: 'knows', from: 'b', to: 'a', seq: 7 },
        { op: 'delete', collection: 'relationships', id: 'r2' },
        { op: 'delete', collection: 'things', id: 'old' },
      ],
      count: 8,
      events: 8,
      firstSeq: 2,
      lastSeq: 9,
    });

    expect((await readThing(tenant, 'a')).data).toEqual({ name: 'Ada', age: 36 });
    expect((await readThing(tenant, 'b')).data).toEqual({ name: 'Robert' });
    expect((await call(tenant, '/things/old')).status).toBe(404);
    const events = await readAllEvents(tenant);
    expect(verifyChain(events).ok).toBe(true);
    // One request, so every event of the batch shares its correlation id.
    expect(new Set(events.slice(1).map((event) => event.correlationId)).size).toBe(1);
  });

  it('generates ids for creates without one', async () => {
    const tenant = uniqueTenant('batch-ids');
    const body = await (await batch(tenant, [{ op: 'create', type: 'T' }, { op: 'create', type: 'T' }])).json<BatchBody>();
    const [first, second] = body.results.map((result) => result.id as string);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second! > first!).toBe(true);
  });

  it('invalid third operation writes nothing', async () => {
    const tenant = uniqueTenant('batch-atomic');
    await createThing(tenant, { id: 'existing', type: 'T', data: { n: 1 } });
    const eventsBefore = await countEvents(tenant);

    const invalidThirdOperations: Array<[unknown, number, string]> = [
      [{ op: 'create', id: 'bad id with spaces', type: 'T' }, 400, 'VALIDATION_FAILED'],
      [{ op: 'create', id: 'c' }, 400, 'VALIDATION_FAILED'],
      [{ op: 'explode', id: 'c' }, 400, 'VALIDATION_FAILED'],
      [{ op: 'update', id: 'missing', data: {} }, 404, 'NOT_FOUND'],
      [{ op: 'update', id: 'existing', ifMatch: '"7"', data: {} }, 409, 'VERSION_CONFLICT'],
      [{ op: 'create', id: 'a', type: 'T' }, 409, 'ALREADY_EXISTS'],
      [{ op: 'create', collection: 'relationships', from: 'a', to: 'ghost', type: 'knows' }, 422, 'REFERENCE_NOT_FOUND'],
      [{ op: 'delete', collection: 'relationships', id: 'none' }, 404, 'NOT_FOUND'],
    ];

    for (const [third, status, code] of invalidThirdOperations) {
      const response = await batch(tenant, [
        { op: 'create', id: 'a', type: 'T' },
        { op: 'update', id: 'existing', data: { n: 2 } },
        third,
        { op: 'create', id: 'd', type: 'T' },
      ]);
      const error = await expectError(response, status, code);
      expect(error.operationIndex, JSON.stringify(third)).toBe(2);
      expect(error.message).toMatch(/^operation 2 failed, so no operation was applied: /);
    }

    expect(await countEvents(tenant)).toBe(eventsBefore);
    expect((await call(tenant, '/things/a')).status).toBe(404);
    expect((await call(tenant, '/things/d')).status).toBe(404);
    const existing = await readThing(tenant, 'existing');
    expect(existing.version).toBe(1);
    expect(existing.data).toEqual({ n: 1 });
    const stats = await (await call(tenant, '/stats')).json<{ thingCount: number; eventCount: number }>();
    expect(stats).toMatchObject({ thingCount: 1, eventCount: eventsBefore });
  });

  it('keeps operation fields out of the data', async () => {
    const tenant = uniqueTenant('batch-fields');
    await createThing(tenant, { id: 'a', type: 'T', data: { keep: true } });
    await batch(tenant, [
      { op: 'update', id: 'a', version: 1, mode: 'merge', extra: 1 },
      { op: 'update', id: 'a', ifMatch: 2, collection: 'things', data: { more: 2 } },
    ]);
    expect((await readThing(tenant, 'a')).data).toEqual({ keep: true, extra: 1, more: 2 });
  });

  it('type-only update keeps data', async () => {
    const tenant = uniqueTenant('batch-type');
    await createThing(tenant, { id: 'a', type: 'Old', data: 'text data' });
    const response = await batch(tenant, [{ op: 'update', id: 'a', type: 'New' }]);
    expect(response.status).toBe(200);
    expect(await readThing(tenant, 'a')).toMatchObject({ type: 'New', data: 'text data', version: 2 });
  });

  it('rejects a replace without data', async () => {
    const tenant = uniqueTenant('batch-replace');
    await createThing(tenant, { id: 'a', type: 'T', data: { n: 1 } });
    await expectError(await batch(tenant, [{ op: 'update', id: 'a', mode: 'replace', type: 'U' }]), 400, 'VALIDATION_FAILED');
  });

  it('results leave out data', async () => {
    const tenant = uniqueTenant('batch-small');
    await createThing(tenant, { id: 'big', type: 'T', data: { blob: 'x'.repeat(100_000) } });
    const operations = Array.from({ length: 50 }, (_, index) => ({ op: 'update', id: 'big', data: { [`k${index}`]: index } }));
    const response = await batch(tenant, operations);
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeLessThan(10_000);
  });

  it('accepts 1000 operations and rejects 1001', async () => {
    const tenant = uniqueTenant('batch-limit');
    const operations = Array.from({ length: 1000 }, (_, index) => ({ op: 'create', id: `t${index}`, type: 'T' }));
    const accepted = await batch(tenant, operations);
    expect(accepted.status).toBe(200);
    expect(await accepted.json<BatchBody>()).toMatchObject({ count: 1000, events: 1000, firstSeq: 1, lastSeq: 1000 });

    const tooMany = Array.from({ length: 1001 }, (_, index) => ({ op: 'create', id: `u${index}`, type: 'T' }));
    const error = await expectError(await batch(tenant, tooMany), 413, 'BATCH_TOO_LARGE');
    expect(error.limit).toBe(1000);
    expect(await countEvents(tenant)).toBe(1000);
  });

  it('rejects a body without a non-empty operations array', async () => {
    const tenant = uniqueTenant('batch-shape');
    for (const operations of [[], {}, 'create', null, 5]) {
      await expectError(await batch(tenant, operations), 400, 'VALIDATION_FAILED');
    }
    await expectError(await sendJson(tenant, 'POST', '/batch', {}), 400, 'VALIDATION_FAILED');
    await expectError(await sendJson(tenant, 'POST', '/batch', [{ op: 'create', type: 'T' }]), 400, 'VALIDATION_FAILED');
  });

  it('rejects malformed operations with their index', async () => {
    const tenant = uniqueTenant('batch-malformed');
    const malformed: unknown[] = [
      null,
      'create',
      [],
      { op: 'create', collection: 'widgets', type: 'T' },
      { op: 'update', collection: 'relationships', id: 'r' },
      { op: 'update', id: 'a', mode: 'upsert' },
      { op: 'update', data: {} },
      { op: 'delete' },
      { op: 'delete', id: 7 },
      { op: 'update', id: 'a', ifMatch: 'soon' },
      { op: 'update', id: 'a', ifMatch: [1] },
      { op: 'update', id: 'a', ifMatch: null },
      { op: 'delete', id: 'a', version: { v: 1 } },
      { op: 'delete', id: 'a', version: 1.5 },
      { op: 'update', id: 'a', ifMatch: 1, version: 2 },
      { op: 'update', id: 'a', ifMatch: '*', version: 1 },
      { op: 'create', type: 'T', ifMatch: 1 },
      { op: 'create', type: 'T', version: 1 },
      { op: 'create', collection: 'relationships', from: 'a', to: 'b', type: 'knows', ifMatch: '*' },
      { op: 'delete', collection: 'relationships', id: 'r', version: 1 },
      { op: 'create', collection: 'relationships', from: 'a', to: 'b', type: 'knows', weight: 1 },
    ];
    for (const operation of malformed) {
      const error = await expectError(await batch(tenant, [{ op: 'create', type: 'T' }, operation]), 400, 'VALIDATION_FAILED');
      expect(error.operationIndex, JSON.stringify(operation)).toBe(1);
    }
    expect(await countEvents(tenant)).toBe(0);
  });

  it('accepts ifMatch and version that agree', async () => {
    const tenant = uniqueTenant('batch-agree');
    const response = await batch(tenant, [
      { op: 'create', id: 'a', type: 'T' },
      { op: 'update', id: 'a', ifMatch: '"1"', version: 1, data: { x: 1 } },
    ]);
    expect(response.status, await response.clone().text()).toBe(200);

    const conflict = await expectError(await batch(tenant, [{ op: 'update', id: 'a', ifMatch: 'W/"2"', version: 1 }]), 400, 'VALIDATION_FAILED');
    expect(conflict.message).toContain('differ');
    expect(await countEvents(tenant)).toBe(2);
  });

  it('rejects unknown body members', async () => {
    const tenant = uniqueTenant('batch-members');
    const response = await sendJson(tenant, 'POST', '/batch', { operations: [{ op: 'create', type: 'T' }], atomic: false });
    const error = await expectError(response, 400, 'VALIDATION_FAILED');
    expect(error.message).toContain('"atomic"');
    expect(await countEvents(tenant)).toBe(0);
  });

  it('replays a batch by Idempotency-Key', async () => {
    const tenant = uniqueTenant('batch-idem');
    const operations = [{ op: 'create', type: 'T' }, { op: 'create', type: 'T' }];
    const first = await batch(tenant, operations, { 'idempotency-key': 'batch-1' });
    const second = await batch(tenant, operations, { 'idempotency-key': 'batch-1' });
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await countEvents(tenant)).toBe(2);
  });
});
