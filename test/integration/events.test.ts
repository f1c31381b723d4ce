import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { GENESIS_HASH, hashEvent, verifyChain } from '../../events/hash';
import { uuidV7Timestamp } from '../../events/uuidv7';
import { call, createThing, expectError, readAllEvents, sendJson, uniqueTenant, useManualClock } from './helpers';

interface EventPage {
  items: EventEnvelope[];
  count: number;
  lastSeq: number;
  next: number | null;
}

async function readPage(tenant: string, query: string): Promise<EventPage> {
  const response = await call(tenant, `/events${query}`);
  expect(response.status).toBe(200);
  return response.json<EventPage>();
}

/** Creates `count` things with one batch, which appends `count` events. */
async function appendEvents(tenant: string, count: number): Promise<void> {
  const operations = Array.from({ length: count }, (_, index) => ({ op: 'create', id: `t${index}`, type: 'T' }));
  const response = await sendJson(tenant, 'POST', '/batch', { operations });
  expect(response.status).toBe(200);
}

describe('event envelope', () => {
  it('records every field of a write', async () => {
    const tenant = uniqueTenant('envelope');
    const clock = await useManualClock(tenant, Date.UTC(2031, 5, 6, 7, 8, 9, 10));

    await sendJson(tenant, 'POST', '/things', { id: 'x', type: 'T', data: { n: 1 } }, { 'x-request-id': 'req-abc', 'idempotency-key': 'key-1' });
    clock.advance(5);
    await sendJson(tenant, 'PATCH', '/things/x', { data: { n: 2 } });

    const [created, updated] = (await readPage(tenant, '')).items;
    expect(created).toEqual({
      tenant,
      seq: 1,
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'thing.created',
      schemaVersion: 1,
      occurredAt: Date.UTC(2031, 5, 6, 7, 8, 9, 10),
      actor: null,
      correlationId: 'req-abc',
      causationId: null,
      idempotencyKey: 'key-1',
      payload: { id: 'x', type: 'T', data: { n: 1 } },
      prevHash: GENESIS_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(uuidV7Timestamp(created!.id)).toBe(created!.occurredAt);

    expect(updated).toMatchObject({
      seq: 2,
      type: 'thing.updated',
      occurredAt: Date.UTC(2031, 5, 6, 7, 8, 9, 15),
      idempotencyKey: null,
      payload: { id: 'x', type: 'T', data: { n: 2 } },
      prevHash: created!.hash,
    });
    expect(updated!.id > created!.id).toBe(true);
  });

  it('hashes verify with hashEvent', async () => {
    const tenant = uniqueTenant('chain');
    await createThing(tenant, { id: 'a', type: 'T', data: { z: 1, a: [true, null] } });
    await sendJson(tenant, 'PATCH', '/things/a', { data: { b: 'ü' } });
    await call(tenant, '/things/a', { method: 'DELETE' });

    const events = await readAllEvents(tenant);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    for (const event of events) {
      const { prevHash, hash, ...fields } = event;
      expect(hashEvent(prevHash, fields)).toBe(hash);
    }
    expect(verifyChain(events)).toEqual({ ok: true, lastSeq: 3, lastHash: events[2]!.hash });
  });

  it('generated request id is the correlation id', async () => {
    const tenant = uniqueTenant('correlation');
    const response = await sendJson(tenant, 'POST', '/things', { type: 'T' });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [event] = (await readPage(tenant, '')).items;
    expect(event!.correlationId).toBe(requestId);
  });

  it('data-plane actor is null', async () => {
    const tenant = uniqueTenant('actor');
    // Only /admin routes check the token, so it does not make a data-plane write an admin one.
    const withToken = await sendJson(tenant, 'POST', '/things', { type: 'T' }, { authorization: 'Bearer dev-admin-token' });
    expect(withToken.status).toBe(201);
    const [event] = (await readPage(tenant, '')).items;
    expect(event!.actor).toBeNull();
  });
});

describe('GET /events', () => {
  it('returns an empty page for an empty log', async () => {
    const tenant = uniqueTenant('empty-log');
    expect(await readPage(tenant, '')).toEqual({ items: [], count: 0, lastSeq: 0, next: null });
  });

  it('pages with after, limit and next', async () => {
    const tenant = uniqueTenant('paging');
    await appendEvents(tenant, 7);

    const first = await readPage(tenant, '?limit=3');
    expect(first.items.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ count: 3, lastSeq: 7, next: 3 });

    const second = await readPage(tenant, '?after=3&limit=3');
    expect(second.items.map((event) => event.seq)).toEqual([4, 5, 6]);
    expect(second.next).toBe(6);

    const last = await readPage(tenant, '?after=6&limit=3');
    expect(last.items.map((event) => event.seq)).toEqual([7]);
    expect(last.next).toBeNull();

    const beyond = await readPage(tenant, '?after=100');
    expect(beyond).toEqual({ items: [], count: 0, lastSeq: 7, next: null });
  });

  it('chain verifies across pages', async () => {
    const tenant = uniqueTenant('page-chain');
    await appendEvents(tenant, 5);
    let afterSeq = 0;
    let afterHash = GENESIS_HASH;
    for (;;) {
      const page = await readPage(tenant, `?after=${afterSeq}&limit=2`);
      const result = verifyChain(page.items, afterSeq, afterHash);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      afterSeq = result.lastSeq;
      afterHash = result.lastHash;
      if (page.next === null) break;
    }
    expect(afterSeq).toBe(5);
  });

  it('returns 100 events by default and 1000 at most', async () => {
    const tenant = uniqueTenant('page-size');
    await appendEvents(tenant, 1000);
    await sendJson(tenant, 'POST', '/things', { id: 'extra', type: 'T' });

    const defaultPage = await readPage(tenant, '');
    expect(defaultPage.count).toBe(100);
    expect(defaultPage.next).toBe(100);

    const fullPage = await readPage(tenant, '?limit=1000');
    expect(fullPage.count).toBe(1000);
    expect(fullPage.next).toBe(1000);
    expect(fullPage.lastSeq).toBe(1001);

    await expectError(await call(tenant, '/events?limit=1001'), 400, 'VALIDATION_FAILED');
  });

  it('rejects malformed after and limit values', async () => {
    const tenant = uniqueTenant('bad-paging');
    for (const query of ['after=-1', 'after=abc', 'after=1.5', 'after=99999999999999999999', 'limit=0', 'limit=x', 'limit=']) {
      const response = await call(tenant, `/events?${query}`);
      if (query === 'limit=') {
        // An empty value means the default.
        expect(response.status).toBe(200);
        continue;
      }
      await expectError(response, 400, 'VALIDATION_FAILED');
    }
  });

  it('returns only the tenant own log', async () => {
    const tenantA = uniqueTenant('log-a');
    const tenantB = uniqueTenant('log-b');
    await createThing(tenantA, { id: 'a', type: 'T' });
    await createThing(tenantB, { id: 'b1', type: 'T' });
    await createThing(tenantB, { id: 'b2', type: 'T' });

    const pageA = await readPage(tenantA, '');
    const pageB = await readPage(tenantB, '');
    expect(pageA.items.map((event) => [event.tenant, event.seq])).toEqual([[tenantA, 1]]);
    expect(pageB.items.map((event) => [event.tenant, event.seq])).toEqual([
      [tenantB, 1],
      [tenantB, 2],
    ]);
  });
});
