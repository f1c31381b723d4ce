/**
 * Iceberg schemas in their JSON form (Iceberg table spec, Appendix C) and the schema
 * of the shared events table. Field ids are the contract with outside readers: they
 * identify columns in Parquet files (`PARQUET:field_id`) and in manifest statistics,
 * so they never change once written.
 */

/** A primitive type as the spec serializes it, e.g. `long`, `timestamptz`, `decimal(10, 2)`, `fixed[16]`. */
export type IcebergPrimitiveType = string;

export interface IcebergStructType {
  type: 'struct';
  fields: IcebergField[];
}

export interface IcebergListType {
  type: 'list';
  'element-id': number;
  'element-required': boolean;
  element: IcebergType;
}

export interface IcebergMapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  'value-required': boolean;
  value: IcebergType;
}

export type IcebergType = IcebergPrimitiveType | IcebergStructType | IcebergListType | IcebergMapType;

export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
}

export interface IcebergSchema extends IcebergStructType {
  'schema-id': number;
  'identifier-field-ids'?: number[];
}

/** Columns of the events table, in schema order. `id` is the Iceberg field id. */
export const EVENT_COLUMNS = [
  { id: 1, name: 'tenant', type: 'string', required: true },
  { id: 2, name: 'seq', type: 'long', required: true },
  { id: 3, name: 'id', type: 'string', required: true },
  { id: 4, name: 'type', type: 'string', required: true },
  { id: 5, name: 'schema_version', type: 'int', required: true },
  // Microseconds since the Unix epoch, UTC.
  { id: 6, name: 'occurred_at', type: 'timestamptz', required: true },
  { id: 7, name: 'actor', type: 'string', required: false },
  { id: 8, name: 'correlation_id', type: 'string', required: true },
  { id: 9, name: 'causation_id', type: 'string', required: false },
  { id: 10, name: 'idempotency_key', type: 'string', required: false },
  // The event payload as JSON text.
  { id: 11, name: 'payload', type: 'string', required: true },
  { id: 12, name: 'prev_hash', type: 'string', required: true },
  { id: 13, name: 'hash', type: 'string', required: true },
] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number];
export type EventColumnName = EventColumn['name'];

/** JavaScript type of a column's values: `bigint` for long and timestamptz (microseconds), `number` for int. */
export type EventColumnValue<Name extends EventColumnName> =
  Extract<EventColumn, { name: Name }>['type'] extends 'string'
    ? string
    : Extract<EventColumn, { name: Name }>['type'] extends 'int'
      ? number
      : bigint;

export const EVENT_SCHEMA_ID = 0;

export const EVENT_SCHEMA: IcebergSchema = {
  type: 'struct',
  'schema-id': EVENT_SCHEMA_ID,
  fields: EVENT_COLUMNS.map(({ id, name, type, required }) => ({ id, name, required, type })),
};

/** Highest field id in the events schema, the table's `last-column-id`. */
export const EVENT_LAST_COLUMN_ID = Math.max(...EVENT_COLUMNS.map((column) => column.id));

/** Returns the top-level field with `id`, or undefined. */
export function findField(schema: IcebergStructType, id: number): IcebergField | undefined {
  return schema.fields.find((field) => field.id === id);
}

export function eventColumn<Name extends EventColumnName>(name: Name): Extract<EventColumn, { name: Name }> {
  return EVENT_COLUMNS.find((column) => column.name === name) as Extract<EventColumn, { name: Name }>;
}
