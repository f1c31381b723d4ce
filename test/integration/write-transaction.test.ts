import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { verifyChain } from '../../events/hash';
import { jsonResponse } from '../../src/tenant/api/write';
import { call, countEvents, createThing, readAllEvents, tenantStub, uniqueTenant } from './helpers';

describe('append and projections in one transaction', () => {
  it('shows emitted events to every read inside the write', async () => {
    const tenant = uniqueTenant('read-own-events');
    const seen = await runInDurableObject(tenantStub(tenant), (instance) => {
      const request = { tenant, actor: null, correlationId: 'own', idempotency: null };
      const counts: Record<string, number> = {};
      const countThings = (sql: typeof instance.store.sql) => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM things').toArray()[0]!.n;
      instance.store.write(request, (tx) => {
        tx.emit([{ type: 'thing.created', payload: { id: 'a', type: 'T', data: {} } }]);
        tx.emit([{ type: 'thing.created', payload: { id: 'b', type: 'T', data: {} } }]);
        counts.txSql = countThings(tx.sql);
        tx.emit([{ type: 'thing.created', payload: { id: 'c', type: 'T', data: {} } }]);
        // Code that reads through the store, not the transaction, inside the command.
        counts.storeSql = countThings(instance.store.sql);
        tx.emit([{ type: 'thing.deleted', payload: { id: 'a' } }]);
        counts.counterDelta = tx.counterDelta('things');
        return jsonResponse(200, {});
      });
      counts.afterCommit = countThings(instance.store.sql);
      return counts;
    });

    expect(seen).toEqual({ txSql: 2, storeSql: 3, counterDelta: 2, afterCommit: 2 });
  });


  it('aborts the append when a projection throws', async () => {
    const tenant = uniqueTenant('projection-fault');
    await createThing(tenant, { id: 'before', type: 'T' });

    const outcome = await runInDurableObject(tenantStub(tenant), (instance, state) => {
      const request = { tenant, actor: null, correlationId: 'fault', idempotency: { key: 'fault-key', fingerprint: 'f' } };
      let error: unknown;
      try {
        instance.store.write(request, (tx) => {
          tx.emit([{ type: 'thing.created', payload: { id: 'partial', type: 'T', data: {} } }]);
          // The things projection rejects an update of a thing that does not exist.
          tx.emit([{ type: 'thing.updated', payload: { id: 'ghost', type: 'T', data: {} } }]);
          return jsonResponse(200, {});
        });
      } catch (caught) {
        error = caught;
      }
      const sql = state.storage.sql;
      return {
        error: error instanceof Error ? error.message : String(error),
        things: sql.exec<{ id: string }>('SELECT id FROM things ORDER BY id').toArray().map((row) => row.id),
        keys: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM idempotency_keys').one().n,
        head: sql.exec<{ seq: number }>('SELECT seq FROM log_head').one().seq,
      };
    });

    expect(outcome.error).toContain('thing ghost does not exist');
    expect(outcome.things).toEqual(['before']);
    expect(outcome.keys).toBe(0);
    expect(outcome.head).toBe(1);
    expect(await countEvents(tenant)).toBe(1);
  });

  it('no gap after a failed write', async () => {
    const tenant = uniqueTenant('after-fault');
    await createThing(tenant, { id: 'a', type: 'T' });
    // Fails inside the transaction (the id exists), after the head was read.
    const duplicate = await call(tenant, '/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'a', type: 'T' }),
    });
    expect(duplicate.status).toBe(409);
    const next = await createThing(tenant, { id: 'b', type: 'T' });
    expect(next.seq).toBe(2);

    const events = await readAllEvents(tenant);
    expect(events.map((event) => event.seq)).toEqual([1, 2]);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('rolls back every event of a write whose later event fails', async () => {
    const tenant = uniqueTenant('multi-event');
    await createThing(tenant, { id: 'a', type: 'T' });
    const result = await runInDurableObject(tenantStub(tenant), (instance) => {
      try {
        instance.store.write({ tenant, actor: null, correlationId: 'c', idempotency: null }, (tx) => {
          tx.emit([
            { type: 'thing.created', payload: { id: 'b', type: 'T', data: {} } },
            { type: 'thing.created', payload: { id: 'b', type: 'T', data: {} } },
          ]);
          return jsonResponse(200, {});
        });
        return 'committed';
      } catch {
        return 'rolled back';
      }
    });
    expect(result).toBe('rolled back');
    expect(await countEvents(tenant)).toBe(1);
    expect((await call(tenant, '/things/b')).status).toBe(404);
  });
});
