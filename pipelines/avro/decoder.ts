/**
 * Avro binary decoding (Avro 1.11 specification, "Binary Encoding"), the inverse of
 * `encoder.ts`. Reads past the end of the input throw AvroError instead of returning
 * garbage, so a truncated file fails loudly.
 */
import { AvroError, type AvroType, type AvroValue } from './schema';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
// ignoreBOM keeps a leading U+FEFF, which is part of the value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A cursor over Avro-encoded bytes. */
export class AvroDecoder {
  private readonly view: DataView;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  readBoolean(): boolean {
    const byte = this.readByte();
    if (byte > 1) throw new AvroError(`avro: invalid boolean byte ${byte} at offset ${this.position - 1}`);
    return byte === 1;
  }

  readInt(): number {
    const value = this.readLong();
    if (value < BigInt(INT_MIN) || value > BigInt(INT_MAX)) {
      throw new AvroError(`avro: int ${value} at offset ${this.position} is outside the 32-bit range`);
    }
    return Number(value);
  }

  /** Reads a zig-zag varint long of at most 10 bytes. */
  readLong(): bigint {
    const start = this.position;
    let zigzag = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.readByte();
      zigzag |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new AvroError(`avro: varint at offset ${start} is longer than 10 bytes`);
    }
    return (zigzag >> 1n) ^ -(zigzag & 1n);
  }

  /** Reads a long that must be a safe integer, such as a length or a block count. */
  readSafeLong(): number {
    const value = this.readLong();
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new AvroError(`avro: long ${value} at offset ${this.position} is too large for a count or length`);
    }
    return Number(value);
  }

  readFloat(): number {
    this.require(4);
    const value = this.view.getFloat32(this.position, true);
    this.position += 4;
    return value;
  }

  readDouble(): number {
    this.require(8);
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** Reads a length-prefixed byte sequence; returns a copy, so it outlives the input buffer. */
  readBytes(): Uint8Array {
    const length = this.readSafeLong();
    if (length < 0) throw new AvroError(`avro: negative byte length ${length} at offset ${this.position}`);
    return this.readRaw(length).slice();
  }

  readString(): string {
    const length = this.readSafeLong();
    if (length < 0) throw new AvroError(`avro: negative string length ${length} at offset ${this.position}`);
    try {
      return utf8.decode(this.readRaw(length));
    } catch (error) {
      throw new AvroError(`avro: string at offset ${this.position - length} is not valid UTF-8`, { cause: error });
    }
  }

  /** Returns a view of the next `length` bytes without copying. */
  readRaw(length: number): Uint8Array {
    this.require(length);
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  private readByte(): number {
    this.require(1);
    return this.bytes[this.position++] as number;
  }

  private require(length: number): void {
    if (this.position + length > this.bytes.length) {
      throw new AvroError(
        `avro: unexpected end of data: need ${length} bytes at offset ${this.position}, ${this.remaining} left`,
      );
    }
  }
}

/** Reads one value of `type`. Records become plain objects and Avro maps become `Map`s. */
export function decodeAvroValue(decoder: AvroDecoder, type: AvroType): AvroValue {
  switch (type.kind) {
    case 'primitive':
      return decodePrimitive(decoder, type.name);

    case 'record': {
      const record: Record<string, AvroValue> = {};
      for (const field of type.fields) record[field.name] = decodeAvroValue(decoder, field.type);
      return record;
    }

    case 'array': {
      const items: AvroValue[] = [];
      forEachBlockItem(decoder, () => items.push(decodeAvroValue(decoder, type.items)));
      return items;
    }

    case 'map': {
      const map = new Map<string, AvroValue>();
      forEachBlockItem(decoder, () => {
        const key = decoder.readString();
        map.set(key, decodeAvroValue(decoder, type.values));
      });
      return map;
    }

    case 'union': {
      const index = decoder.readSafeLong();
      const branch = type.branches[index];
      if (branch === undefined) {
        throw new AvroError(`avro: union branch ${index} does not exist (the union has ${type.branches.length})`);
      }
      return decodeAvroValue(decoder, branch);
    }

    case 'fixed':
      return decoder.readRaw(type.size).slice();

    case 'enum': {
      const index = decoder.readInt();
      const symbol = type.symbols[index];
      if (symbol === undefined) throw new AvroError(`avro: enum ${type.name} has no symbol at index ${index}`);
      return symbol;
    }
  }
}

function decodePrimitive(decoder: AvroDecoder, name: string): AvroValue {
  switch (name) {
    case 'null':
      return null;
    case 'boolean':
      return decoder.readBoolean();
    case 'int':
      return decoder.readInt();
    case 'long':
      return decoder.readLong();
    case 'float':
      return decoder.readFloat();
    case 'double':
      return decoder.readDouble();
    case 'bytes':
      return decoder.readBytes();
    case 'string':
      return decoder.readString();
    default:
      throw new AvroError(`avro: unknown primitive type ${name}`);
  }
}

/**
 * Calls `readItem` once per item of an array or map. Items come in blocks, and each
 * block starts with a count. A negative count is followed by the block's size in bytes,
 * and a zero count ends the sequence.
 */
function forEachBlockItem(decoder: AvroDecoder, readItem: () => void): void {
  for (;;) {
    let count = decoder.readSafeLong();
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      decoder.readSafeLong();
    }
    for (let index = 0; index < count; index++) readItem();
  }
}
