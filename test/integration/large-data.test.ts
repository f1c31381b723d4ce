import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { verifyChain } from '../../events/hash';
import { MAX_PAGE_BYTES } from '../../projections/page';
import { call, createRelationship, createThing, readAllEvents, type ThingBody, uniqueTenant } from './helpers';

/** Data of about 900 KB, so five things hold more than one page budget. */
function largeData(label: string): Record<string, string> {
  return { label, blob: label.repeat(900_000 / label.length) };
}

async function seedLargeThings(tenant: string): Promise<void> {
  for (const id of ['t1', 't2', 't3', 't4', 't5']) await createThing(tenant, { id, type: 'Big', data: largeData(id) });
}

describe('pages of large items', () => {
  it('thing list stops at the budget', { timeout: 60_000 }, async () => {
    expect(5 * 900_000).toBeGreaterThan(MAX_PAGE_BYTES);
    const tenant = uniqueTenant('large-list');
    await seedLargeThings(tenant);

    const first = await (await call(tenant, '/things?limit=1000')).json<{ items: ThingBody[]; count: number; cursor: string | null }>();
    expect(first.items.map((thing) => thing.id)).toEqual(['t1', 't2', 't3', 't4']);
    expect(first.count).toBe(5);
    expect(first.cursor).not.toBeNull();

    const second = await (await call(tenant, `/things?limit=1000&cursor=${first.cursor}`)).json<{ items: ThingBody[]; cursor: string | null }>();
    expect(second.items.map((thing) => thing.id)).toEqual(['t5']);
    expect(second.cursor).toBeNull();
    expect(second.items[0]!.data).toEqual(largeData('t5'));
  });

  it('relationship list stops at the budget', { timeout: 60_000 }, async () => {
    const tenant = uniqueTenant('large-relationships');
    await createThing(tenant, { id: 'a', type: 'T' });
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      await createRelationship(tenant, { id, from: 'a', to: 'a', type: 'big', data: largeData(id) });
    }
    const first = await (await call(tenant, '/relationships')).json<{ items: Array<{ id: string }>; count: number; cursor: string | null }>();
    expect(first.items.map((item) => item.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(first.count).toBe(5);
    const second = await (await call(tenant, `/relationships?cursor=${first.cursor}`)).json<{ items: Array<{ id: string }> }>();
    expect(second.items.map((item) => item.id)).toEqual(['r5']);
  });

  it('event page stops at the budget', { timeout: 60_000 }, async () => {
    const tenant = uniqueTenant('large-events');
    await seedLargeThings(tenant);

    const first = await (await call(tenant, '/events?limit=1000')).json<{ items: EventEnvelope[]; next: number | null; lastSeq: number }>();
    expect(first.items.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(first.next).toBe(4);
    expect(first.lastSeq).toBe(5);

    const events = await readAllEvents(tenant);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('rebuilds a log larger than one page budget', { timeout: 60_000 }, async () => {
    const tenant = uniqueTenant('large-rebuild');
    await seedLargeThings(tenant);
    const response = await call(tenant, '/admin/projections/rebuild', { method: 'POST', headers: { authorization: 'Bearer dev-admin-token' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ eventsReplayed: 5, matches: true });
  });
});
