/**
 * Avro object container files (Avro 1.11 specification, "Object Container Files"):
 * the magic `Obj\x01`, a metadata map of byte values that holds `avro.schema` and
 * `avro.codec`, a 16-byte sync marker, then blocks of records. Each block is a record
 * count, the byte size of its (possibly compressed) data, the data, and the sync marker.
 */
import { compressBlock, decompressBlock, isAvroCodec, type AvroCodec } from './codec';
import { AvroDecoder, decodeAvroValue } from './decoder';
import { AvroEncoder, encodeAvroValue } from './encoder';
import { AvroError, parseAvroSchema, type AvroSchemaJson, type AvroType, type AvroValue } from './schema';

const MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_SIZE = 16;
/** Uncompressed bytes after which a new block starts; Java's Avro writer uses a similar interval. */
const BLOCK_TARGET_BYTES = 64 * 1024;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface ContainerWriteOptions {
  /** Schema in JSON form; written verbatim (with its extra attributes) as `avro.schema`. */
  schema: AvroSchemaJson;
  records: readonly AvroValue[];
  /** Extra header metadata. Keys starting with `avro.` are reserved and rejected. */
  metadata?: Readonly<Record<string, string>>;
  /** Defaults to `deflate`. */
  codec?: AvroCodec;
  /** 16 bytes; random unless given (tests pass one to get identical output). */
  syncMarker?: Uint8Array;
}

/** Encodes a complete container file. Async only because `deflate` uses the streams API. */
export async function writeContainerFile(options: ContainerWriteOptions): Promise<Uint8Array> {
  const codec = options.codec ?? 'deflate';
  const type = parseAvroSchema(options.schema);
  const syncMarker = options.syncMarker ?? crypto.getRandomValues(new Uint8Array(SYNC_SIZE));
  if (syncMarker.length !== SYNC_SIZE) throw new AvroError(`avro: sync marker must be 16 bytes, got ${syncMarker.length}`);

  // Header: magic, metadata map, sync marker.
  const file = new AvroEncoder();
  file.writeRaw(MAGIC);
  const metadata = new Map<string, Uint8Array>([
    ['avro.schema', utf8.encode(JSON.stringify(options.schema))],
    ['avro.codec', utf8.encode(codec)],
  ]);
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (key.startsWith('avro.')) throw new AvroError(`avro: metadata key ${key} is reserved for the container format`);
    metadata.set(key, utf8.encode(value));
  }
  file.writeLong(metadata.size);
  for (const [key, value] of metadata) {
    file.writeString(key);
    file.writeBytes(value);
  }
  file.writeLong(0);
  file.writeRaw(syncMarker);

  // Blocks of records.
  let block = new AvroEncoder();
  let count = 0;
  const flush = async (): Promise<void> => {
    const data = await compressBlock(codec, block.toBytes());
    file.writeLong(count);
    file.writeLong(data.length);
    file.writeRaw(data);
    file.writeRaw(syncMarker);
    block = new AvroEncoder();
    count = 0;
  };
  for (const [index, record] of options.records.entries()) {
    encodeAvroValue(block, type, record, `records[${index}]`);
    count++;
    if (block.byteLength >= BLOCK_TARGET_BYTES) await flush();
  }
  if (count > 0) await flush();
  return file.toBytes();
}

export interface ContainerFile {
  /** The schema JSON as stored in `avro.schema`, with its extra attributes. */
  schemaJson: AvroSchemaJson;
  schema: AvroType;
  codec: AvroCodec;
  /** Header metadata other than `avro.schema` and `avro.codec`, decoded as UTF-8. */
  metadata: Record<string, string>;
  syncMarker: Uint8Array;
  records: AvroValue[];
}

/** Decodes a complete container file; throws AvroError on bad magic, unknown codec, wrong sync marker or truncation. */
export async function readContainerFile(bytes: Uint8Array): Promise<ContainerFile> {
  const decoder = new AvroDecoder(bytes);
  const magic = decoder.readRaw(MAGIC.length);
  if (!magic.every((byte, index) => byte === MAGIC[index])) {
    throw new AvroError('avro: not an object container file (the magic bytes are not "Obj\\x01")');
  }

  // Header metadata is an Avro map of bytes, possibly split into several blocks.
  const header = decodeAvroValue(decoder, { kind: 'map', values: { kind: 'primitive', name: 'bytes' } }) as Map<
    string,
    Uint8Array
  >;
  const schemaBytes = header.get('avro.schema');
  if (schemaBytes === undefined) throw new AvroError('avro: container header has no avro.schema');
  const schemaJson = JSON.parse(utf8Decoder.decode(schemaBytes)) as AvroSchemaJson;
  const codecName = header.has('avro.codec') ? utf8Decoder.decode(header.get('avro.codec')) : 'null';
  if (!isAvroCodec(codecName)) throw new AvroError(`avro: unsupported codec ${JSON.stringify(codecName)}`);
  const metadata: Record<string, string> = {};
  for (const [key, value] of header) {
    if (key !== 'avro.schema' && key !== 'avro.codec') metadata[key] = utf8Decoder.decode(value);
  }
  const syncMarker = decoder.readRaw(SYNC_SIZE).slice();
  const schema = parseAvroSchema(schemaJson);

  // Blocks until the end of the file.
  const records: AvroValue[] = [];
  while (decoder.remaining > 0) {
    const count = decoder.readSafeLong();
    const size = decoder.readSafeLong();
    if (count < 0 || size < 0) throw new AvroError(`avro: invalid block header (count ${count}, size ${size})`);
    const data = await decompressBlock(codecName, decoder.readRaw(size));
    const marker = decoder.readRaw(SYNC_SIZE);
    if (!marker.every((byte, index) => byte === syncMarker[index])) {
      throw new AvroError(`avro: sync marker mismatch after the block ending at offset ${decoder.offset - SYNC_SIZE}`);
    }
    const blockDecoder = new AvroDecoder(data);
    for (let index = 0; index < count; index++) records.push(decodeAvroValue(blockDecoder, schema));
    if (blockDecoder.remaining !== 0) {
      throw new AvroError(`avro: block of ${count} records left ${blockDecoder.remaining} bytes undecoded`);
    }
  }
  return { schemaJson, schema, codec: codecName, metadata, syncMarker, records };
}
