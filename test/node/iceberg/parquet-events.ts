/**
 * Writes events as a Parquet data file the way the flush will: Arrow columns whose
 * fields carry `PARQUET:field_id`, written by parquet-wasm. Also computes the column
 * statistics of the rows, so the commit input describes the file exactly.
 */
import { Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMicrosecond, Int32, Int64, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';

import type { ColumnStatistics, EventColumnStats, EventDataFileInput } from '../../../pipelines/iceberg/event-data-file';
import { dayFromMicros } from '../../../pipelines/iceberg/partition';
import { EVENT_COLUMNS, type EventColumnName } from '../../../pipelines/iceberg/table-schema';

export interface EventRow {
  tenant: string;
  seq: bigint;
  id: string;
  type: string;
  schema_version: number;
  occurred_at: bigint;
  actor: string | null;
  correlation_id: string;
  causation_id: string | null;
  idempotency_key: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

export function makeEvents(tenant: string, firstSeq: number, count: number, startMicros: bigint): EventRow[] {
  return Array.from({ length: count }, (_, index) => {
    const seq = BigInt(firstSeq + index);
    return {
      tenant,
      seq,
      id: `018f${tenant.padEnd(8, '0').slice(0, 8)}-${String(seq).padStart(12, '0')}`,
      type: index % 2 ? 'thing.updated' : 'thing.created',
      schema_version: 1,
      occurred_at: startMicros + BigInt(index) * 1_000_000n,
      actor: index % 3 === 0 ? null : `key-${index % 3}`,
      correlation_id: `corr-${seq}`,
      causation_id: null,
      idempotency_key: index === 0 ? `idem-${tenant}-${seq}` : null,
      payload: JSON.stringify({ name: `${tenant} thing ${seq}` }),
      prev_hash: (seq - 1n).toString(16).padStart(64, '0'),
      hash: seq.toString(16).padStart(64, '0'),
    };
  });
}

/** Encodes rows as Parquet with Iceberg field ids on every column. */
export function writeEventsParquet(rows: readonly EventRow[]): Uint8Array {
  const fields = EVENT_COLUMNS.map(
    (column) => new Field(column.name, arrowType(column.type), !column.required, new Map([['PARQUET:field_id', String(column.id)]])),
  );
  const children: Data[] = EVENT_COLUMNS.map((column) => {
    const values = rows.map((row) => row[column.name]);
    switch (column.type) {
      case 'long':
        return makeData({ type: new Int64(), length: rows.length, data: BigInt64Array.from(values as bigint[]) });
      case 'timestamptz':
        return makeData({ type: new TimestampMicrosecond('UTC'), length: rows.length, data: BigInt64Array.from(values as bigint[]) });
      case 'int':
        return makeData({ type: new Int32(), length: rows.length, data: Int32Array.from(values as number[]) });
      default:
        return vectorFromArray(values as Array<string | null>, new Utf8()).data[0]!;
    }
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }));
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(new Table([batch]), 'stream'));
  return writeParquet(wasmTable, new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build());
}

function arrowType(type: string) {
  if (type === 'long') return new Int64();
  if (type === 'int') return new Int32();
  if (type === 'timestamptz') return new TimestampMicrosecond('UTC');
  return new Utf8();
}

/** Builds the commit input for `rows` stored at `path` as `bytes`. */
export function describeEventsFile(path: string, rows: readonly EventRow[], bytes: Uint8Array): EventDataFileInput {
  const columnStats: EventColumnStats = {};
  for (const column of EVENT_COLUMNS) {
    const values = rows.map((row) => row[column.name]).filter((value) => value !== null) as Array<string | number | bigint>;
    const stats: ColumnStatistics<string | number | bigint> = { valueCount: rows.length, nullValueCount: rows.length - values.length };
    if (values.length > 0) {
      const sorted = [...values].sort((a, b) => Number(a > b) - Number(a < b));
      stats.lowerBound = sorted[0]!;
      stats.upperBound = sorted.at(-1)!;
    }
    (columnStats as Record<EventColumnName, unknown>)[column.name] = stats;
  }
  return {
    path,
    recordCount: rows.length,
    fileSizeBytes: bytes.length,
    partition: { tenant: rows[0]!.tenant, occurredAtDay: dayFromMicros(rows[0]!.occurred_at) },
    columnStats,
  };
}
