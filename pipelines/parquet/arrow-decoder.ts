import { type Data, DataType, type RecordBatch, type Table, TimeUnit } from 'apache-arrow';

import type { EventEnvelope } from '../../events/envelope';
import { TenantlogError } from '../../src/errors';
import { EVENT_COLUMNS, type EventColumn, type EventColumnName } from './event-columns';

const utf8Decoder = new TextDecoder();

/** Converts every row of an Arrow table of the event schema back to envelopes, in row order. */
export function decodeEventTable(table: Table): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  for (const batch of table.batches) decodeEventRecordBatch(batch, events);
  return events;
}

/**
 * Appends the rows of one record batch to `events`. `occurred_at` micros become ms
 * (rounded down), nulls in nullable columns become null, and the payload text is
 * parsed as JSON. Payloads are returned as stored, without upcasting.
 *
 * Throws LOG_INTEGRITY when a column is missing, has another type, or contains a null
 * in a required column, because this pipeline never writes such a file.
 */
export function decodeEventRecordBatch(batch: RecordBatch, events: EventEnvelope[]): void {
  const column = (name: EventColumnName) => columnData(batch, name);
  const tenant = decodeStrings(column('tenant'));
  const seq = decodeIntegers(column('seq'));
  const id = decodeStrings(column('id'));
  const type = decodeStrings(column('type'));
  const schemaVersion = decodeIntegers(column('schema_version'));
  const occurredAt = decodeMicrosAsMillis(column('occurred_at'));
  const actor = decodeStrings(column('actor'));
  const correlationId = decodeStrings(column('correlation_id'));
  const causationId = decodeStrings(column('causation_id'));
  const idempotencyKey = decodeStrings(column('idempotency_key'));
  const payload = decodeStrings(column('payload'));
  const prevHash = decodeStrings(column('prev_hash'));
  const hash = decodeStrings(column('hash'));

  for (let i = 0; i < batch.numRows; i++) {
    events.push({
      tenant: tenant[i]!,
      seq: seq[i]!,
      id: id[i]!,
      type: type[i]!,
      schemaVersion: schemaVersion[i]!,
      occurredAt: occurredAt[i]!,
      actor: actor[i]!,
      correlationId: correlationId[i]!,
      causationId: causationId[i]!,
      idempotencyKey: idempotencyKey[i]!,
      payload: JSON.parse(payload[i]!) as unknown,
      prevHash: prevHash[i]!,
      hash: hash[i]!,
    });
  }
}

interface ColumnData {
  column: EventColumn;
  data: Data;
}

function columnData(batch: RecordBatch, name: EventColumnName): ColumnData {
  const column = EVENT_COLUMNS.find((candidate) => candidate.name === name)!;
  const index = batch.schema.fields.findIndex((field) => field.name === name);
  const data = index < 0 ? undefined : batch.data.children[index];
  if (!data) {
    throw new TenantlogError('LOG_INTEGRITY', `Parquet data file has no column ${name}`);
  }
  if (!hasExpectedType(column, data.type)) {
    throw new TenantlogError('LOG_INTEGRITY', `Parquet data file column ${name} has type ${String(data.type)}, expected Iceberg ${column.type}`);
  }
  return { column, data };
}

function hasExpectedType(column: EventColumn, type: DataType): boolean {
  switch (column.type) {
    case 'string':
      return DataType.isUtf8(type);
    case 'long':
      return DataType.isInt(type) && type.bitWidth === 64 && type.isSigned;
    case 'int':
      return DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
    case 'timestamptz':
      return DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND;
  }
}

function isNull({ column, data }: ColumnData, index: number): boolean {
  if (data.nullCount === 0 || data.getValid(index)) return false;
  if (column.required) {
    throw new TenantlogError('LOG_INTEGRITY', `Parquet data file has a null in required column ${column.name} at row ${index}`);
  }
  return true;
}

function decodeStrings(column: ColumnData): Array<string | null> {
  const { data } = column;
  // Arrow JS slices the offsets with the data, so index 0 is the first row here.
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const values = new Array<string | null>(data.length);
  for (let i = 0; i < data.length; i++) {
    values[i] = isNull(column, i) ? null : utf8Decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
  }
  return values;
}

/** Decodes an Int32 or Int64 column to numbers, which is exact for seqs (far below 2^53). */
function decodeIntegers(column: ColumnData): number[] {
  const raw = column.data.values as Int32Array | BigInt64Array;
  const values = new Array<number>(column.data.length);
  for (let i = 0; i < values.length; i++) {
    // Every numeric column is required, so this throws on a null.
    isNull(column, i);
    values[i] = Number(raw[i]!);
  }
  return values;
}

function decodeMicrosAsMillis(column: ColumnData): number[] {
  const raw = column.data.values as BigInt64Array;
  const values = new Array<number>(column.data.length);
  for (let i = 0; i < values.length; i++) {
    isNull(column, i);
    const micros = raw[i]!;
    // Floor division, so times before 1970 round down like those after it.
    const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
    values[i] = Number(millis);
  }
  return values;
}
