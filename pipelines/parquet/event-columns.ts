import { Field, Int32, Int64, Schema, TimestampMicrosecond, Utf8 } from 'apache-arrow';

/** Iceberg primitive types of the event table's columns. */
export type IcebergPrimitiveType = 'string' | 'long' | 'int' | 'timestamptz';

/** One column of the event table, shared by the Parquet files and the Iceberg schema. */
export interface EventColumn {
  /** Column name in Parquet and Iceberg (snake_case, as in the SQLite log). */
  readonly name: EventColumnName;
  /** Iceberg field id, written into Parquet as the column's field id. */
  readonly fieldId: number;
  readonly type: IcebergPrimitiveType;
  readonly required: boolean;
}

export type EventColumnName =
  | 'tenant'
  | 'seq'
  | 'id'
  | 'type'
  | 'schema_version'
  | 'occurred_at'
  | 'actor'
  | 'correlation_id'
  | 'causation_id'
  | 'idempotency_key'
  | 'payload'
  | 'prev_hash'
  | 'hash';

/**
 * Columns in file order. Field ids are part of the Iceberg table schema: engines
 * resolve Parquet columns by id, so ids must never be renumbered or reused.
 */
export const EVENT_COLUMNS: readonly EventColumn[] = [
  { name: 'tenant', fieldId: 1, type: 'string', required: true },
  { name: 'seq', fieldId: 2, type: 'long', required: true },
  { name: 'id', fieldId: 3, type: 'string', required: true },
  { name: 'type', fieldId: 4, type: 'string', required: true },
  { name: 'schema_version', fieldId: 5, type: 'int', required: true },
  { name: 'occurred_at', fieldId: 6, type: 'timestamptz', required: true },
  { name: 'actor', fieldId: 7, type: 'string', required: false },
  { name: 'correlation_id', fieldId: 8, type: 'string', required: true },
  { name: 'causation_id', fieldId: 9, type: 'string', required: false },
  { name: 'idempotency_key', fieldId: 10, type: 'string', required: false },
  { name: 'payload', fieldId: 11, type: 'string', required: true },
  { name: 'prev_hash', fieldId: 12, type: 'string', required: true },
  { name: 'hash', fieldId: 13, type: 'string', required: true },
];

/** Arrow field metadata key that arrow-rs (inside parquet-wasm) writes as the Parquet field id. */
export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id';

function arrowType(type: IcebergPrimitiveType): Utf8 | Int64 | Int32 | TimestampMicrosecond {
  switch (type) {
    case 'string':
      return new Utf8();
    case 'long':
      return new Int64();
    case 'int':
      return new Int32();
    case 'timestamptz':
      // Iceberg `timestamptz` is micros since the epoch, adjusted to UTC.
      return new TimestampMicrosecond('UTC');
  }
}

/** Arrow fields of the event table, each carrying its Iceberg field id. */
export const EVENT_ARROW_FIELDS: readonly Field[] = EVENT_COLUMNS.map(
  (column) =>
    new Field(column.name, arrowType(column.type), !column.required, new Map([[PARQUET_FIELD_ID_KEY, String(column.fieldId)]])),
);

export const EVENT_ARROW_SCHEMA = new Schema([...EVENT_ARROW_FIELDS]);
