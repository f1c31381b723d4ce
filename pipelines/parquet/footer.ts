import { type ThriftStruct, type ThriftValue, ThriftCompactReader } from './thrift-compact';

/**
 * The parts of a Parquet file's metadata (its footer) that the event reader and
 * the tests need: leaf columns with their field ids and types, and per row group
 * the row count, codec and statistics of every column chunk.
 *
 * parquet-wasm 0.8 exposes row group metadata but not column statistics or field
 * ids, so the footer is decoded here. Field numbers follow parquet.thrift from
 * apache/parquet-format.
 */
export interface ParquetFooter {
  version: number;
  numRows: number;
  createdBy: string | null;
  keyValueMetadata: Map<string, string>;
  /** Leaf columns in file order. */
  columns: ParquetLeafColumn[];
  rowGroups: ParquetRowGroup[];
}

export type ParquetPhysicalType =
  | 'BOOLEAN'
  | 'INT32'
  | 'INT64'
  | 'INT96'
  | 'FLOAT'
  | 'DOUBLE'
  | 'BYTE_ARRAY'
  | 'FIXED_LEN_BYTE_ARRAY';

export type ParquetCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'LZO' | 'BROTLI' | 'LZ4' | 'ZSTD' | 'LZ4_RAW';

export interface ParquetLeafColumn {
  /** Names from the root's child down to the leaf. */
  path: string[];
  fieldId: number | null;
  physicalType: ParquetPhysicalType;
  repetition: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  /** Name of the LogicalType union member, such as `STRING` or `TIMESTAMP`. */
  logicalType: string | null;
  /** Set when the logical type is TIMESTAMP. */
  timestamp: { unit: 'MILLIS' | 'MICROS' | 'NANOS'; isAdjustedToUTC: boolean } | null;
}

export interface ParquetRowGroup {
  numRows: number;
  totalByteSize: number;
  columns: ParquetColumnChunk[];
}

export interface ParquetColumnChunk {
  path: string[];
  codec: ParquetCodec;
  numValues: number;
  /** Statistics in the column's plain encoding (little-endian integers, raw UTF-8), or null when the writer left them out. */
  nullCount: number | null;
  minValue: Uint8Array | null;
  maxValue: Uint8Array | null;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"
const FOOTER_TAIL_BYTES = 8; // 4-byte little-endian metadata length, then the magic

const PHYSICAL_TYPES: readonly ParquetPhysicalType[] = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
];
const CODECS: readonly ParquetCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];
const REPETITIONS = ['REQUIRED', 'OPTIONAL', 'REPEATED'] as const;
const TIME_UNITS: Record<number, 'MILLIS' | 'MICROS' | 'NANOS'> = { 1: 'MILLIS', 2: 'MICROS', 3: 'NANOS' };
const LOGICAL_TYPES: Record<number, string> = {
  1: 'STRING',
  2: 'MAP',
  3: 'LIST',
  4: 'ENUM',
  5: 'DECIMAL',
  6: 'DATE',
  7: 'TIME',
  8: 'TIMESTAMP',
  10: 'INTEGER',
  11: 'UNKNOWN',
  12: 'JSON',
  13: 'BSON',
  14: 'UUID',
  15: 'FLOAT16',
};

/** Decodes the footer of a whole Parquet file held in memory. */
export function readParquetFooter(file: Uint8Array): ParquetFooter {
  const metadataLength = footerMetadataLength(file.subarray(Math.max(0, file.length - FOOTER_TAIL_BYTES)), file.length);
  const start = file.length - FOOTER_TAIL_BYTES - metadataLength;
  if (!MAGIC.every((byte, i) => file[i] === byte)) {
    throw new Error('Parquet file is invalid: it does not start with PAR1');
  }
  return decodeFileMetaData(file.subarray(start, file.length - FOOTER_TAIL_BYTES));
}

/** Decodes the footer of a Parquet file in a Blob, reading only its last bytes. */
export async function readParquetFooterFromBlob(file: Blob): Promise<ParquetFooter> {
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - FOOTER_TAIL_BYTES)).arrayBuffer());
  const metadataLength = footerMetadataLength(tail, file.size);
  const start = file.size - FOOTER_TAIL_BYTES - metadataLength;
  return decodeFileMetaData(new Uint8Array(await file.slice(start, file.size - FOOTER_TAIL_BYTES).arrayBuffer()));
}

/** Decodes an INT64 statistic, which Parquet stores as 8 little-endian bytes. */
export function decodeInt64Statistic(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new Error(`INT64 statistic has ${bytes.length} bytes, expected 8`);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
}

function footerMetadataLength(tail: Uint8Array, fileSize: number): number {
  if (tail.length < FOOTER_TAIL_BYTES || !MAGIC.every((byte, i) => tail[4 + i] === byte)) {
    throw new Error(`Parquet file is invalid: ${fileSize} bytes without the PAR1 footer magic`);
  }
  const length = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (length + FOOTER_TAIL_BYTES + MAGIC.length > fileSize) {
    throw new Error(`Parquet file is invalid: footer length ${length} exceeds the file size ${fileSize}`);
  }
  return length;
}

function decodeFileMetaData(bytes: Uint8Array): ParquetFooter {
  const metadata = new ThriftCompactReader(bytes).readStruct();
  const schema = list(metadata, 2).map(asStruct);
  return {
    version: int(metadata, 1),
    numRows: int(metadata, 3),
    createdBy: optionalString(metadata, 6),
    keyValueMetadata: keyValues(metadata.get(5)),
    columns: leafColumns(schema),
    rowGroups: list(metadata, 4).map((value) => decodeRowGroup(asStruct(value))),
  };
}

// The schema is a depth-first list. Element 0 is the root, and `num_children` (5) gives how many children follow an element.
function leafColumns(schema: ThriftStruct[]): ParquetLeafColumn[] {
  const leaves: ParquetLeafColumn[] = [];
  let index = 1;
  const walk = (count: number, parents: string[]) => {
    for (let i = 0; i < count; i++) {
      const element = schema[index++];
      if (!element) throw new Error('Parquet schema is invalid: fewer elements than num_children promises');
      const path = [...parents, string(element, 4)];
      const children = element.get(5);
      if (typeof children === 'number' && children > 0) {
        walk(children, path);
        continue;
      }
      leaves.push(decodeLeaf(element, path));
    }
  };
  const root = schema[0];
  if (!root) throw new Error('Parquet schema is invalid: it has no root element');
  walk(optionalInt(root, 5) ?? 0, []);
  return leaves;
}

function decodeLeaf(element: ThriftStruct, path: string[]): ParquetLeafColumn {
  const logical = element.get(10);
  let logicalType: string | null = null;
  let timestamp: ParquetLeafColumn['timestamp'] = null;
  if (logical instanceof Map) {
    const [member, value] = [...logical.entries()][0] ?? [];
    logicalType = member === undefined ? null : (LOGICAL_TYPES[member] ?? `UNKNOWN(${member})`);
    if (member === 8 && value instanceof Map) {
      // TimestampType: isAdjustedToUTC (1) and the TimeUnit union (2), whose member id is the unit.
      const unitUnion = value.get(2);
      const unit = unitUnion instanceof Map ? TIME_UNITS[[...unitUnion.keys()][0] ?? 0] : undefined;
      if (unit) timestamp = { unit, isAdjustedToUTC: value.get(1) === true };
    }
  }
  const physicalType = PHYSICAL_TYPES[int(element, 1)];
  if (!physicalType) throw new Error(`Parquet schema is invalid: column ${path.join('.')} has physical type ${int(element, 1)}`);
  return {
    path,
    fieldId: optionalInt(element, 9),
    physicalType,
    repetition: REPETITIONS[optionalInt(element, 3) ?? 0] ?? 'REQUIRED',
    logicalType,
    timestamp,
  };
}

function decodeRowGroup(group: ThriftStruct): ParquetRowGroup {
  return {
    numRows: int(group, 3),
    totalByteSize: int(group, 2),
    columns: list(group, 1).map((chunk) => {
      const meta = asStruct(asStruct(chunk).get(3) ?? new Map());
      const statistics = meta.get(12);
      const stats = statistics instanceof Map ? statistics : new Map<number, ThriftValue>();
      return {
        path: list(meta, 3).map((part) => utf8(part)),
        codec: CODECS[int(meta, 4)] ?? 'UNCOMPRESSED',
        numValues: int(meta, 5),
        nullCount: optionalInt(stats, 3),
        // min_value (6) and max_value (5) replace the deprecated min (2) and max (1),
        // which Parquet writers still fill for signed integer columns.
        minValue: optionalBytes(stats, 6) ?? optionalBytes(stats, 2),
        maxValue: optionalBytes(stats, 5) ?? optionalBytes(stats, 1),
      };
    }),
  };
}

const utf8Decoder = new TextDecoder();

function utf8(value: ThriftValue): string {
  if (!(value instanceof Uint8Array)) throw new Error('Parquet footer is invalid: expected a string');
  return utf8Decoder.decode(value);
}

function asStruct(value: ThriftValue): ThriftStruct {
  if (!(value instanceof Map)) throw new Error('Parquet footer is invalid: expected a struct');
  return value;
}

function list(struct: ThriftStruct, id: number): ThriftValue[] {
  const value = struct.get(id);
  if (!Array.isArray(value)) throw new Error(`Parquet footer is invalid: field ${id} is not a list`);
  return value as ThriftValue[];
}

function optionalInt(struct: ThriftStruct, id: number): number | null {
  const value = struct.get(id);
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`Parquet footer is invalid: field ${id} is not an integer`);
}

function int(struct: ThriftStruct, id: number): number {
  const value = optionalInt(struct, id);
  if (value === null) throw new Error(`Parquet footer is invalid: required field ${id} is missing`);
  return value;
}

function string(struct: ThriftStruct, id: number): string {
  const value = struct.get(id);
  if (value === undefined) throw new Error(`Parquet footer is invalid: required field ${id} is missing`);
  return utf8(value);
}

function optionalString(struct: ThriftStruct, id: number): string | null {
  const value = struct.get(id);
  return value === undefined ? null : utf8(value);
}

function optionalBytes(struct: ThriftStruct, id: number): Uint8Array | null {
  const value = struct.get(id);
  return value instanceof Uint8Array ? value : null;
}

function keyValues(value: ThriftValue | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  if (!Array.isArray(value)) return entries;
  for (const item of value as ThriftValue[]) {
    const pair = asStruct(item);
    const key = pair.get(1);
    const entry = pair.get(2);
    if (key !== undefined) entries.set(utf8(key), entry === undefined ? '' : utf8(entry));
  }
  return entries;
}
