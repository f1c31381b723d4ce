/**
 * avsc helpers for Node tests: longs as BigInt (snapshot ids exceed 2^53), and decoding
 * of whole container files into the header and the records.
 */
import { Readable } from 'node:stream';

import avsc from 'avsc';

const bigintLong = avsc.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value);
    return buffer;
  },
  fromJSON: (value: number | string) => BigInt(value),
  toJSON: (value: bigint) => Number(value),
  isValid: (value: unknown) => typeof value === 'bigint',
  compare: (a: bigint, b: bigint) => Number(a > b) - Number(a < b),
});

export function avscType(schema: unknown): avsc.Type {
  return avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: bigintLong } } as never);
}

export interface AvscContainer {
  writerType: avsc.Type;
  /** The `avro.schema` JSON as stored, with attributes such as `field-id`. */
  schemaJson: Record<string, unknown>;
  codec: string;
  metadata: Record<string, string>;
  records: unknown[];
}

/** Decodes a container file with avsc's own block decoder. */
export function decodeWithAvsc(bytes: Uint8Array): Promise<AvscContainer> {
  return new Promise((resolve, reject) => {
    let writerType: avsc.Type | undefined;
    let codec = '';
    let metadata: Record<string, string> = {};
    let schemaJson: Record<string, unknown> = {};
    const records: unknown[] = [];
    const decoder = new avsc.streams.BlockDecoder({ parseHook: (schema: unknown) => avscType(schema) } as never);
    decoder.on('metadata', (type: avsc.Type, codecName: string, header: { meta: Record<string, Buffer> }) => {
      writerType = type;
      codec = codecName;
      metadata = Object.fromEntries(Object.entries(header.meta).map(([key, value]) => [key, value.toString('utf8')]));
      schemaJson = JSON.parse(metadata['avro.schema']!) as Record<string, unknown>;
    });
    decoder.on('data', (record: unknown) => records.push(record));
    decoder.on('error', reject);
    decoder.on('end', () => {
      if (writerType === undefined) reject(new Error('avsc emitted no header'));
      else resolve({ writerType, schemaJson, codec, metadata, records });
    });
    Readable.from([Buffer.from(bytes)]).pipe(decoder);
  });
}

/** Re-reads records through `readerSchema`, which avsc resolves against the writer's schema (names must match). */
export function readAs(container: AvscContainer, readerSchema: unknown): unknown[] {
  const readerType = avscType(readerSchema);
  const resolver = readerType.createResolver(container.writerType);
  return container.records.map((record) => readerType.fromBuffer(container.writerType.toBuffer(record), resolver));
}

/** Encodes records into a container file with avsc's block encoder. */
export function encodeWithAvsc(schema: unknown, records: unknown[], codec: 'null' | 'deflate'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const encoder = new avsc.streams.BlockEncoder(avscType(schema), { codec } as never);
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('error', reject);
    encoder.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    for (const record of records) encoder.write(record);
    encoder.end();
  });
}
