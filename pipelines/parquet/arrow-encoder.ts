import { type Data, type Field, Int32, Int64, makeData, RecordBatch, Struct, TimestampMicrosecond, Utf8 } from 'apache-arrow';

import { EVENT_ARROW_FIELDS, EVENT_ARROW_SCHEMA, EVENT_COLUMNS, type EventColumn } from './event-columns';
import { type EventRow, occurredAtMicros, STRING_COLUMN_VALUES, type StringColumnName } from './event-rows';

const textEncoder = new TextEncoder();

/**
 * Builds one Arrow record batch of the event schema from rows.
 *
 * Uses `makeData` with typed arrays only: apache-arrow's builders (`vectorFromArray`,
 * `tableFromArrays`) compile code from strings for string columns, which workerd
 * rejects outside the test pool. Rows come from `toEventRow`, which has checked
 * every value's type.
 */
export function encodeEventRecordBatch(rows: readonly EventRow[]): RecordBatch {
  const children = EVENT_COLUMNS.map((column) => encodeColumn(column, rows));
  const data = makeData({ type: new Struct(EVENT_ARROW_FIELDS as Field[]), length: rows.length, nullCount: 0, children });
  return new RecordBatch(EVENT_ARROW_SCHEMA, data);
}

function encodeColumn(column: EventColumn, rows: readonly EventRow[]): Data {
  switch (column.name) {
    case 'seq':
      return makeData({ type: new Int64(), length: rows.length, nullCount: 0, data: BigInt64Array.from(rows, (row) => BigInt(row.seq)) });
    case 'schema_version':
      return makeData({ type: new Int32(), length: rows.length, nullCount: 0, data: Int32Array.from(rows, (row) => row.event.schemaVersion) });
    case 'occurred_at':
      return makeData({
        type: new TimestampMicrosecond('UTC'),
        length: rows.length,
        nullCount: 0,
        data: BigInt64Array.from(rows, occurredAtMicros),
      });
    default:
      return encodeUtf8Column(rows, STRING_COLUMN_VALUES[column.name as StringColumnName]);
  }
}

function encodeUtf8Column(rows: readonly EventRow[], read: (row: EventRow) => string | null): Data<Utf8> {
  const valueOffsets = new Int32Array(rows.length + 1);
  const validity = new Uint8Array(Math.ceil(rows.length / 8));
  let nullCount = 0;

  // UTF-16 length is a lower bound of the UTF-8 length and exact for ASCII, the usual case.
  let capacity = 16;
  for (const row of rows) capacity += read(row)?.length ?? 0;
  let bytes = new Uint8Array(capacity);
  let end = 0;

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const value = read(row);
    if (value === null) {
      nullCount += 1;
    } else {
      validity[i >> 3]! |= 1 << (i & 7);
      for (;;) {
        const result = textEncoder.encodeInto(value, bytes.subarray(end));
        if (result.read === value.length) {
          end += result.written;
          break;
        }
        // Out of room: grow so that even an all-3-byte value fits, then encode it again.
        const grown = new Uint8Array(Math.max(bytes.length * 2, end + value.length * 3));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
    }
    valueOffsets[i + 1] = end;
  }

  return makeData({
    type: new Utf8(),
    length: rows.length,
    nullCount,
    nullBitmap: nullCount > 0 ? validity : null,
    valueOffsets,
    data: bytes.subarray(0, end),
  });
}
