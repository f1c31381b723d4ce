import { AsyncLocalStorage } from 'node:async_hooks';

import type { EventEnvelope } from '../../events/envelope';

/** SQLite rows a piece of work read and wrote, as Durable Objects bill them. */
export interface RowCounts {
  rowsRead: number;
  rowsWritten: number;
}

/** Record of one unit of work: the cursors it opened (final once it finished reading them) and the events it committed. */
class MeterScope {
  readonly cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  readonly committed: EventEnvelope[] = [];

  total(): RowCounts {
    let rowsRead = 0;
    let rowsWritten = 0;
    for (const cursor of this.cursors) {
      rowsRead += cursor.rowsRead;
      rowsWritten += cursor.rowsWritten;
    }
    return { rowsRead, rowsWritten };
  }
}

/** Result of `RequestMeter.measure`. */
export interface Measured<T> {
  result: T;
  rows: RowCounts;
  /** Events the work committed, in commit order. */
  committed: readonly EventEnvelope[];
}

/**
 * Measures what each request does to storage: the SQLite rows it reads and
 * writes, and the events it commits. `storage` returns a view of the object's
 * storage whose `sql.exec` remembers every cursor it opens in the scope of the
 * current request. `measure` runs work in a new scope and sums the cursors'
 * `rowsRead` and `rowsWritten` after the work has finished, because a cursor's
 * counts grow while it is iterated.
 *
 * The scope follows the async context, so requests that interleave at an await
 * are counted apart. Statements run outside any scope (the constructor, alarms
 * not wrapped in `measure`) are not counted.
 */
export class RequestMeter {
  private readonly scopes = new AsyncLocalStorage<MeterScope>();

  /** Runs `work` in a scope of its own and returns its result with the rows and events it produced. */
  async measure<T>(work: () => Promise<T>): Promise<Measured<T>> {
    const scope = new MeterScope();
    const result = await this.scopes.run(scope, work);
    return { result, rows: scope.total(), committed: scope.committed };
  }

  /** Attributes committed events to the current scope; register it with `TenantStore.onCommit`. */
  recordCommit(events: readonly EventEnvelope[]): void {
    this.scopes.getStore()?.committed.push(...events);
  }

  /** Wraps `storage` so that its `sql.exec` is metered; every other member is the original. */
  storage(storage: DurableObjectStorage): DurableObjectStorage {
    const sql = this.sql(storage.sql);
    return new Proxy(storage, {
      get(target, property) {
        if (property === 'sql') return sql;
        return boundMember(target, property);
      },
    });
  }

  private sql(sql: SqlStorage): SqlStorage {
    const scopes = this.scopes;
    const exec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
      const cursor = sql.exec<T>(query, ...bindings);
      scopes.getStore()?.cursors.push(cursor);
      return cursor;
    };
    return new Proxy(sql, {
      get(target, property) {
        if (property === 'exec') return exec;
        return boundMember(target, property);
      },
    });
  }
}

/** Methods of a wrapped object, bound to it once per object and name rather than on every access. */
const boundMethods = new WeakMap<object, Map<PropertyKey, { method: unknown; bound: unknown }>>();

/** `target[property]`, with a method bound to `target`, as a proxy in front of `target` must return it. */
function boundMember(target: object, property: PropertyKey): unknown {
  const value: unknown = Reflect.get(target, property, target);
  if (typeof value !== 'function') return value;
  let methods = boundMethods.get(target);
  if (!methods) {
    methods = new Map();
    boundMethods.set(target, methods);
  }
  let entry = methods.get(property);
  // A method replaced on the object (as a test may do) gets bound anew.
  if (entry?.method !== value) {
    entry = { method: value, bound: value.bind(target) };
    methods.set(property, entry);
  }
  return entry.bound;
}
