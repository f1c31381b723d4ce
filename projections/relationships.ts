import type { RelationshipCreated, RelationshipDeleted } from '../events/types/relationships';
import type { EventEnvelope } from '../events/envelope';
import { TenantlogError } from '../src/errors';
import { readCounter } from './counters';
import { insertOnce } from './insert-once';
import { MAX_PAGE_BYTES, takePage } from './page';
import type { Projection, SqlExecutor } from './projection';

export interface Relationship {
  id: string;
  type: string;
  from: string;
  to: string;
  data: unknown;
  /** ms since the Unix epoch */
  createdAt: number;
  /** Seq of the event that created the relationship. */
  seq: number;
}

/** Returns the state of one relationship after `event`, or null once it is deleted. */
export function reduceRelationship(current: Relationship | null, event: EventEnvelope): Relationship | null {
  switch (event.type) {
    case 'relationship.created': {
      const payload = event.payload as RelationshipCreated;
      if (current) throw invariant(event, `relationship ${payload.id} already exists`);
      return {
        id: payload.id,
        type: payload.type,
        from: payload.from,
        to: payload.to,
        data: payload.data,
        createdAt: event.occurredAt,
        seq: event.seq,
      };
    }
    case 'relationship.deleted': {
      const payload = event.payload as RelationshipDeleted;
      if (!current) throw invariant(event, `relationship ${payload.id} does not exist`);
      return null;
    }
    default:
      return current;
  }
}

function invariant(event: EventEnvelope, message: string): TenantlogError {
  return new TenantlogError('INTERNAL', `projection relationships: ${message} (event ${event.type} seq ${event.seq})`);
}

type RelationshipRow = {
  id: string;
  type: string;
  from_id: string;
  to_id: string;
  data: string;
  created_at: number;
  seq: number;
};

function rowToRelationship(row: RelationshipRow): Relationship {
  return {
    id: row.id,
    type: row.type,
    from: row.from_id,
    to: row.to_id,
    data: JSON.parse(row.data),
    createdAt: row.created_at,
    seq: row.seq,
  };
}

export function readRelationship(sql: SqlExecutor, id: string): Relationship | null {
  const row = sql.exec<RelationshipRow>(`SELECT * FROM relationships WHERE id = ?`, id).toArray()[0];
  return row ? rowToRelationship(row) : null;
}

/** True when relationship `id` exists, without reading its data. */
export function relationshipExists(sql: SqlExecutor, id: string): boolean {
  return sql.exec(`SELECT 1 AS found FROM relationships WHERE id = ?`, id).toArray().length > 0;
}

/** Ids of every relationship that starts or ends at `thingId`, in id order. */
export function relationshipIdsTouching(sql: SqlExecutor, thingId: string): string[] {
  return sql
    .exec<{ id: string }>(
      `SELECT id FROM relationships WHERE from_id = ? UNION SELECT id FROM relationships WHERE to_id = ? ORDER BY id`,
      thingId,
      thingId,
    )
    .toArray()
    .map((row) => row.id);
}

export interface RelationshipFilter {
  from: string | null;
  to: string | null;
  type: string | null;
}

export interface RelationshipPage {
  items: Relationship[];
  count: number;
  nextAfterId: string | null;
}

/** Lists relationships in id order, paged like `listThings`. */
export function listRelationships(
  sql: SqlExecutor,
  filter: RelationshipFilter,
  afterId: string | null,
  limit: number,
  maxBytes = MAX_PAGE_BYTES,
): RelationshipPage {
  const filters: string[] = [];
  const bindings: unknown[] = [];
  if (filter.from !== null) {
    filters.push('from_id = ?');
    bindings.push(filter.from);
  }
  if (filter.to !== null) {
    filters.push('to_id = ?');
    bindings.push(filter.to);
  }
  if (filter.type !== null) {
    filters.push('type = ?');
    bindings.push(filter.type);
  }
  // Unfiltered, the running counter gives the total; a filter counts through its index.
  const count =
    filters.length === 0
      ? readCounter(sql, 'relationships')
      : (sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM relationships WHERE ${filters.join(' AND ')}`, ...bindings).toArray()[0]?.n ?? 0);

  if (afterId !== null) {
    filters.push('id > ?');
    bindings.push(afterId);
  }
  const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
  const rows = sql.exec<RelationshipRow>(`SELECT * FROM relationships ${where} ORDER BY id LIMIT ?`, ...bindings, limit + 1);
  const page = takePage(rows, limit, maxBytes, (row) => row.data.length);
  const items = page.rows.map(rowToRelationship);
  return {
    items,
    count,
    nextAfterId: page.more ? (items[items.length - 1]?.id ?? null) : null,
  };
}

export const relationshipsProjection: Projection = {
  name: 'relationships',
  tables: ['relationships'],
  schema: [
    `CREATE TABLE IF NOT EXISTS relationships (
       id TEXT PRIMARY KEY,
       type TEXT NOT NULL,
       from_id TEXT NOT NULL,
       to_id TEXT NOT NULL,
       data TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       seq INTEGER NOT NULL
     ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS relationships_by_from ON relationships (from_id, id)`,
    `CREATE INDEX IF NOT EXISTS relationships_by_to ON relationships (to_id, id)`,
    `CREATE INDEX IF NOT EXISTS relationships_by_type ON relationships (type, id)`,
  ],
  handles: new Set(['relationship.created', 'relationship.deleted']),
  apply(sql, event, counters) {
    const id = (event.payload as { id: string }).id;
    // A created relationship has no previous state: instead of a read, the INSERT's primary key rejects an id that exists.
    const previous = event.type === 'relationship.created' ? null : readRelationship(sql, id);
    const next = reduceRelationship(previous, event);
    if (previous && !next) {
      sql.exec(`DELETE FROM relationships WHERE id = ?`, id);
      counters.add('relationships', -1);
    }
    if (next && !previous) {
      insertOnce(
        sql,
        `INSERT INTO relationships (id, type, from_id, to_id, data, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [next.id, next.type, next.from, next.to, JSON.stringify(next.data), next.createdAt, next.seq],
        () => invariant(event, `relationship ${next.id} already exists`),
      );
      counters.add('relationships', 1);
    }
  },
  *checksumRows(sql) {
    yield* sql.exec<RelationshipRow>(`SELECT * FROM relationships ORDER BY id`);
  },
};
