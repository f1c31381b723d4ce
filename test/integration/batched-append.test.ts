import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { verifyChain } from '../../events/hash';
import { UuidV7Generator } from '../../events/uuidv7';
import { MultiRowInsert, SharedValuesInsert } from '../../projections/multi-row-insert';
import type { ProjectionChecksum } from '../../projections/checksum';
import { ManualClock } from '../../src/clock';
import { jsonResponse } from '../../src/tenant/api/write';
import { type BatchOperation, runBatch } from '../../src/tenant/routes/batch';
import { TenantStore } from '../../src/tenant/tenant-store';
import type { TenantDO } from '../../src/tenant/tenant-do';

const TENANT = 'batch-equivalence';
const NOW = Date.UTC(2026, 0, 15, 12);

/** Hands out UUIDv7-shaped ids in sequence, so two stores that append the same events get the same ids. */
class SequentialIds extends UuidV7Generator {
  private issued = 0;

  override next(): string {
    this.issued += 1;
    return `01900000-0000-7000-8000-${String(this.issued).padStart(12, '0')}`;
  }
}

/** `storage` with its `sql.exec` recording every statement text, so a test can count statements. */
function recordingStorage(storage: DurableObjectStorage, statements: string[]): DurableObjectStorage {
  const sql = new Proxy(storage.sql, {
    get(target, property) {
      if (property === 'exec') {
        return (query: string, ...bindings: unknown[]) => {
          statements.push(query);
          return target.exec(query, ...bindings);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'sql') return sql;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const thing = (id: string, type: string, data: unknown): BatchOperation => ({
  op: 'create',
  collection: 'things',
  thing: { id, type, data, hasData: true },
});

/** Creates, updates and deletes of things and relationships, with a cascade and a thing created and deleted again. */
const operations: BatchOperation[] = [
  ...Array.from({ length: 10 }, (_, n) => thing(`user-${n}`, 'User', { n, name: `Ada ${n}` })),
  ...Array.from({ length: 10 }, (_, n) => thing(`item-${n}`, 'Item', { n, tags: ['a', 'ü', '😀'], nested: { z: 1, a: [n, null] } })),
  { op: 'create', collection: 'relationships', relationship: { id: 'owns-0', type: 'owns', from: 'user-0', to: 'item-0', data: {} } },
  { op: 'create', collection: 'relationships', relationship: { id: 'owns-1', type: 'owns', from: 'user-1', to: 'item-1', data: { since: 2026 } } },
  { op: 'update', collection: 'things', id: 'user-0', mode: 'merge', thing: { data: { extra: true }, hasData: true }, expectedVersion: null },
  { op: 'update', collection: 'things', id: 'item-1', mode: 'replace', thing: { data: { fresh: 1 }, hasData: true }, expectedVersion: 1 },
  { op: 'delete', collection: 'things', id: 'item-0', expectedVersion: null },
  thing('temporary', 'Scratch', { short: 'lived' }),
  { op: 'delete', collection: 'things', id: 'temporary', expectedVersion: null },
  { op: 'delete', collection: 'relationships', id: 'owns-1' },
];

interface AppendOutcome {
  events: EventEnvelope[];
  checksum: ProjectionChecksum;
  rebuiltChecksum: ProjectionChecksum;
  statements: string[];
  head: { seq: number; hash: string; bytes: number };
  guardSaw: { users: number; bytes: number }[];
  stored: { users: number; bytes: number };
}

/**
 * Runs `operations` in a fresh object through a store with sequential ids and a
 * fixed clock: one write per operation (`single`) or all in one write (`batched`).
 */
async function appendInFreshObject(mode: 'single' | 'batched', ops: readonly BatchOperation[] = operations): Promise<AppendOutcome> {
  const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
  return runInDurableObject(stub, (_instance, state) => {
    const statements: string[] = [];
    const store = new TenantStore(recordingStorage(state.storage, statements), new ManualClock(NOW), new SequentialIds());
    const guardSaw: AppendOutcome['guardSaw'] = [];
    store.addWriteGuard(() => (tx) => guardSaw.push({ users: tx.counterDelta('things.type:User'), bytes: tx.appendedBytes }));
    const request = { tenant: TENANT, actor: 'key-1', correlationId: 'req-same', idempotency: null };

    statements.length = 0;
    const writes = mode === 'single' ? ops.map((operation) => [operation]) : [ops];
    for (const batch of writes) store.write(request, (tx) => runBatch(tx, batch));
    const recorded = [...statements];

    const sql = state.storage.sql;
    const events = store.log.readAfter(TENANT, 0, 1000, false);
    const checksum = store.checksum();
    const head = store.log.readHead(TENANT);
    const stored = {
      users: sql.exec<{ value: number }>(`SELECT value FROM projection_counters WHERE name = 'things.type:User'`).one().value,
      bytes: sql.exec<{ bytes: number }>(`SELECT bytes FROM log_head`).one().bytes,
    };
    const rebuiltChecksum = store.rebuildProjections(store.log.iterateLocal(TENANT)).checksum;
    return { events, checksum, rebuiltChecksum, statements: recorded, head: { seq: head.seq, hash: head.hash, bytes: head.bytes }, guardSaw, stored };
  });
}

const count = (statements: readonly string[], prefix: string) => statements.filter((text) => text.trimStart().startsWith(prefix)).length;

describe('batched appends', () => {
  it('store the same events, hashes and projections as single writes', async () => {
    const single = await appendInFreshObject('single');
    const batched = await appendInFreshObject('batched');

    expect(batched.events).toHaveLength(29);
    expect(batched.events).toEqual(single.events);
    expect(verifyChain(batched.events).ok).toBe(true);
    expect(batched.head).toEqual(single.head);
    expect(batched.checksum).toEqual(single.checksum);
    expect(batched.rebuiltChecksum).toEqual(batched.checksum);
    expect(single.rebuiltChecksum).toEqual(single.checksum);
  });

  it('insert the events of a write in multi-row statements', async () => {
    const single = await appendInFreshObject('single');
    const batched = await appendInFreshObject('batched');

    // 29 events: the 20 creates share all but 5 columns, 18 rows per statement (2 statements);
    // the 9 events in runs shorter than 4 take all 12 values per row, 8 rows per statement (2).
    expect(count(batched.statements, 'INSERT INTO events')).toBe(4);
    expect(count(batched.statements, 'INSERT INTO log_head')).toBe(1);
    expect(count(batched.statements, 'INSERT INTO projection_counters')).toBe(1);
    // One statement per write, also for the write whose cascade appends two events.
    expect(count(single.statements, 'INSERT INTO events')).toBe(operations.length);
    expect(count(single.statements, 'INSERT INTO log_head')).toBe(operations.length);
  });

  it('show write guards the growth of counters and log bytes', async () => {
    const single = await appendInFreshObject('single');
    const batched = await appendInFreshObject('batched');

    expect(batched.guardSaw).toEqual([{ users: 10, bytes: batched.stored.bytes }]);
    expect(batched.stored.users).toBe(10);
    expect(single.guardSaw.reduce((sum, seen) => sum + seen.users, 0)).toBe(10);
    expect(single.guardSaw.reduce((sum, seen) => sum + seen.bytes, 0)).toBe(single.stored.bytes);
  });
});

/** Long runs of creates, of several thing types, broken by updates, a delete and a re-creation. */
const longRuns: BatchOperation[] = [
  ...Array.from({ length: 45 }, (_, n) => thing(`run-${n}`, n % 3 === 0 ? 'User' : 'Item', { n, text: 'é'.repeat(n) })),
  { op: 'update', collection: 'things', id: 'run-10', mode: 'merge', thing: { data: { more: 1 }, hasData: true }, expectedVersion: 1 },
  { op: 'delete', collection: 'things', id: 'run-11', expectedVersion: null },
  thing('run-11', 'Item', { again: true }),
  ...Array.from({ length: 30 }, (_, n) => thing(`tail-${n}`, 'Item', { b: n, a: [n] })),
];

describe('batched runs of creates', () => {
  it('store the same events and projections as single writes', async () => {
    const single = await appendInFreshObject('single', longRuns);
    const batched = await appendInFreshObject('batched', longRuns);

    expect(batched.events).toHaveLength(longRuns.length);
    expect(batched.events).toEqual(single.events);
    expect(batched.head).toEqual(single.head);
    expect(batched.checksum).toEqual(single.checksum);
    expect(batched.rebuiltChecksum).toEqual(batched.checksum);
    expect(batched.guardSaw).toEqual([{ users: 15, bytes: batched.stored.bytes }]);
  });

  it('read presence once and insert creates in multi-row statements', async () => {
    const creates = Array.from({ length: 100 }, (_, n) => thing(`many-${n}`, n % 2 === 0 ? 'User' : 'Item', { n }));
    const batched = await appendInFreshObject('batched', creates);

    expect(count(batched.statements, 'SELECT id, 1 AS live')).toBe(1);
    // 18 event rows and 24 thing rows fit under the limit of 100 bound values.
    expect(count(batched.statements, 'INSERT INTO events')).toBe(6);
    expect(count(batched.statements, 'INSERT INTO things')).toBe(5);
    // Besides: the first read of the log head, its upsert, the counters' upsert, and the purge
    // of expired idempotency keys that a new store runs at its first write.
    expect(batched.statements).toHaveLength(1 + 6 + 5 + 4);
  });
});

describe('projection inserts of new rows', () => {
  it('roll back a multi-row run that meets a taken id in its middle', async () => {
    const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
    const outcome = await runInDurableObject(stub, (instance, state) => {
      const request = { tenant: 'dup-in-run', actor: null, correlationId: 'c', idempotency: null };
      instance.store.write(request, (tx) => {
        tx.emit([{ type: 'thing.created', payload: { id: 'taken', type: 'T', data: {} } }]);
        return jsonResponse(200, {});
      });
      let error = '';
      try {
        instance.store.write(request, (tx) => {
          // Emitted without the command's check, so the projection meets the taken id inside its second statement.
          for (let n = 0; n < 40; n++) {
            const id = n === 30 ? 'taken' : `new-${n}`;
            tx.emit([{ type: 'thing.created', payload: { id, type: 'T', data: { n } } }]);
          }
          return jsonResponse(200, {});
        });
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      const sql = state.storage.sql;
      return {
        error,
        things: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM things').one().n,
        events: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events').one().n,
        count: sql.exec<{ value: number }>(`SELECT value FROM projection_counters WHERE name = 'things'`).one().value,
        head: instance.store.log.readHead('dup-in-run').seq,
      };
    });

    // Seq 1 is the first write; event n of the second write has seq n + 2.
    expect(outcome.error).toBe('projection things: thing taken already exists (event thing.created seq 32)');
    expect(outcome).toMatchObject({ things: 1, events: 1, count: 1, head: 1 });
  });


  it('reject a created thing whose id exists and roll the write back', async () => {
    const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
    const outcome = await runInDurableObject(stub, (instance, state) => {
      const request = { tenant: 'dup-thing', actor: null, correlationId: 'c', idempotency: null };
      instance.store.write(request, (tx) => {
        tx.emit([{ type: 'thing.created', payload: { id: 'a', type: 'T', data: {} } }]);
        return jsonResponse(200, {});
      });
      let error = '';
      try {
        instance.store.write(request, (tx) => {
          tx.emit([{ type: 'thing.created', payload: { id: 'b', type: 'T', data: {} } }]);
          tx.emit([{ type: 'thing.created', payload: { id: 'a', type: 'T', data: { other: true } } }]);
          return jsonResponse(200, {});
        });
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      const sql = state.storage.sql;
      return {
        error,
        things: sql.exec<{ id: string; data: string }>('SELECT id, data FROM things ORDER BY id').toArray(),
        events: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events').one().n,
        count: sql.exec<{ value: number }>(`SELECT value FROM projection_counters WHERE name = 'things'`).one().value,
      };
    });

    expect(outcome.error).toBe('projection things: thing a already exists (event thing.created seq 3)');
    expect(outcome.things).toEqual([{ id: 'a', data: '{}' }]);
    expect(outcome.events).toBe(1);
    expect(outcome.count).toBe(1);
  });

  it('reject a created relationship whose id exists', async () => {
    const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
    const error = await runInDurableObject(stub, (instance) => {
      const request = { tenant: 'dup-relationship', actor: null, correlationId: 'c', idempotency: null };
      const created = { type: 'relationship.created', payload: { id: 'r', type: 'links', from: 'x', to: 'y', data: {} } };
      try {
        instance.store.write(request, (tx) => {
          tx.emit([created]);
          tx.emit([created]);
          return jsonResponse(200, {});
        });
        return 'committed';
      } catch (caught) {
        return caught instanceof Error ? caught.message : String(caught);
      }
    });
    expect(error).toBe('projection relationships: relationship r already exists (event relationship.created seq 2)');
  });
});

describe('MultiRowInsert', () => {
  it('splits rows into statements under the binding limit', async () => {
    const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
    const result = await runInDurableObject(stub, (_instance, state) => {
      const statements: string[] = [];
      const sql = recordingStorage(state.storage, statements).sql;
      sql.exec(`CREATE TABLE wide (${Array.from({ length: 12 }, (_, n) => `c${n} INTEGER`).join(', ')})`);
      statements.length = 0;
      const insert = new MultiRowInsert(`INSERT INTO wide (${Array.from({ length: 12 }, (_, n) => `c${n}`).join(', ')})`, 12);
      insert.run(sql, Array.from({ length: 17 * 12 }, (_, n) => n));
      let partialRow = '';
      try {
        insert.run(sql, [1, 2, 3]);
      } catch (error) {
        partialRow = error instanceof Error ? error.message : String(error);
      }
      return {
        partialRow,
        rowsPerStatement: insert.rowsPerStatement,
        statements: statements.length,
        rows: sql.exec<{ n: number; total: number }>('SELECT COUNT(*) AS n, SUM(c0 + c11) AS total FROM wide').one(),
      };
    });

    expect(result.partialRow).toBe('MultiRowInsert: 3 values do not make rows of 12');
    expect(result.rowsPerStatement).toBe(8);
    expect(result.statements).toBe(3);
    // Row r contains the values 12r .. 12r + 11, so c0 + c11 = 24r + 11.
    expect(result.rows).toEqual({ n: 17, total: Array.from({ length: 17 }, (_, r) => 24 * r + 11).reduce((a, b) => a + b) });
  });
});

describe('SharedValuesInsert', () => {
  it('binds shared values once per statement', async () => {
    const stub = env.TENANTS.get(env.TENANTS.newUniqueId()) as DurableObjectStub<TenantDO>;
    const result = await runInDurableObject(stub, (_instance, state) => {
      const statements: string[] = [];
      const sql = recordingStorage(state.storage, statements).sql;
      sql.exec('CREATE TABLE pairs (shared_a TEXT, own INTEGER, shared_b INTEGER, own_text TEXT)');
      statements.length = 0;
      const insert = new SharedValuesInsert('INSERT INTO pairs (own, shared_a, own_text, shared_b)', 'v.column1, ?1, v.column2, ?2', 2, 2);
      insert.run(sql, ['s', 7], Array.from({ length: 60 * 2 }, (_, n) => (n % 2 === 0 ? n / 2 : `t${(n - 1) / 2}`)));
      let mismatch = '';
      try {
        insert.run(sql, ['only one'], [1, 'a']);
      } catch (error) {
        mismatch = error instanceof Error ? error.message : String(error);
      }
      return {
        mismatch,
        rowsPerStatement: insert.rowsPerStatement,
        statements: statements.length,
        rows: sql.exec('SELECT shared_a, own, shared_b, own_text FROM pairs ORDER BY own').toArray(),
      };
    });

    expect(result.mismatch).toBe('SharedValuesInsert: 1 shared and 2 row values do not fit 2 and rows of 2');
    expect(result.rowsPerStatement).toBe(49);
    expect(result.statements).toBe(2);
    expect(result.rows).toEqual(Array.from({ length: 60 }, (_, n) => ({ shared_a: 's', own: n, shared_b: 7, own_text: `t${n}` })));
  });
});
