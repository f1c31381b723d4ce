import type { EventEnvelope } from '../../events/envelope';
import type { PlannedRow } from './data-file-plan';
import { EVENT_COLUMNS, type EventColumn, type EventColumnName } from './event-columns';
import { utf8ByteLength } from './utf8';

/** An event ready to become a Parquet row: the payload as JSON text and the row's size. */
export interface EventRow extends PlannedRow {
  event: EventEnvelope;
  /** The payload as `JSON.stringify` writes it, the same text the SQLite log stores. */
  payloadJson: string;
}

// seq (8) + occurred_at (8) + schema_version (4), a 4-byte offset per string
// column (10 of them), and one validity bit per nullable column rounded up to a byte.
const FIXED_ROW_BYTES = 8 + 8 + 4 + 10 * 4 + 1;

/**
 * Serialises the payload once and measures the row, for the planner and the
 * encoder to share. Throws TypeError when a field has the wrong type or a
 * required field is missing, before anything is written.
 */
export function toEventRow(event: EventEnvelope): EventRow {
  if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 0 || event.schemaVersion > 0x7fffffff) {
    throw new TypeError(`event seq ${event.seq} has schemaVersion ${event.schemaVersion}, expected an integer from 0 to 2^31-1`);
  }
  const payloadJson = JSON.stringify(event.payload);
  if (typeof payloadJson !== 'string') {
    throw new TypeError(`event seq ${event.seq} has a payload that JSON cannot represent`);
  }

  const row: EventRow = { seq: event.seq, occurredAt: event.occurredAt, byteSize: FIXED_ROW_BYTES, event, payloadJson };
  for (const column of STRING_COLUMNS) {
    const value = STRING_COLUMN_VALUES[column.name](row);
    if (value === null) {
      if (column.required) throw new TypeError(`event seq ${event.seq} has no value for required column ${column.name}`);
    } else if (typeof value !== 'string') {
      throw new TypeError(`event seq ${event.seq} has a ${typeof value} in string column ${column.name}`);
    } else {
      row.byteSize += utf8ByteLength(value);
    }
  }
  return row;
}

/** Names of the string columns, in file order. */
export type StringColumnName = Exclude<EventColumnName, 'seq' | 'schema_version' | 'occurred_at'>;

const STRING_COLUMNS = EVENT_COLUMNS.filter((column) => column.type === 'string') as Array<EventColumn & { name: StringColumnName }>;

/** Readers of each string column's value, shared by the encoder and the statistics. */
export const STRING_COLUMN_VALUES: Readonly<Record<StringColumnName, (row: EventRow) => string | null>> = {
  tenant: (row) => row.event.tenant,
  id: (row) => row.event.id,
  type: (row) => row.event.type,
  // `?? null` also maps a missing (undefined) optional field to null.
  actor: (row) => row.event.actor ?? null,
  correlation_id: (row) => row.event.correlationId,
  causation_id: (row) => row.event.causationId ?? null,
  idempotency_key: (row) => row.event.idempotencyKey ?? null,
  payload: (row) => row.payloadJson,
  prev_hash: (row) => row.event.prevHash,
  hash: (row) => row.event.hash,
};

/** `occurred_at` as Iceberg stores it: micros since the Unix epoch. */
export function occurredAtMicros(row: EventRow): bigint {
  return BigInt(row.event.occurredAt) * 1000n;
}
