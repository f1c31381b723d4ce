/**
 * Block compression codecs of Avro object container files. `deflate` is raw DEFLATE
 * (RFC 1951, no zlib header or checksum), which is what `CompressionStream('deflate-raw')`
 * produces in workerd and in Node 20.
 */
import { AvroError } from './schema';

export type AvroCodec = 'null' | 'deflate';

export function isAvroCodec(name: string): name is AvroCodec {
  return name === 'null' || name === 'deflate';
}

export async function compressBlock(codec: AvroCodec, bytes: Uint8Array): Promise<Uint8Array> {
  if (codec === 'null') return bytes;
  return pipeThrough(bytes, new CompressionStream('deflate-raw'));
}

export async function decompressBlock(codec: AvroCodec, bytes: Uint8Array): Promise<Uint8Array> {
  if (codec === 'null') return bytes;
  try {
    return await pipeThrough(bytes, new DecompressionStream('deflate-raw'));
  } catch (error) {
    throw new AvroError(`avro: deflate block of ${bytes.length} bytes could not be decompressed`, { cause: error });
  }
}

async function pipeThrough(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const output = new Response(new Blob([bytes]).stream().pipeThrough(transform));
  return new Uint8Array(await output.arrayBuffer());
}
