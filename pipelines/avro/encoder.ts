/**
 * Avro binary encoding (Avro 1.11 specification, "Binary Encoding"). It walks the
 * parsed schema at run time and never generates code, because workerd forbids
 * code generation from strings.
 */
import { AvroError, type AvroRecordValue, type AvroType, type AvroValue } from './schema';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/** A growable byte buffer with the Avro primitive encodings. */
export class AvroEncoder {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  /** Returns a copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  writeBoolean(value: boolean): void {
    this.reserve(1);
    this.buffer[this.length++] = value ? 1 : 0;
  }

  /** Writes a 32-bit int as a zig-zag varint. */
  writeInt(value: number): void {
    if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
      throw new AvroError(`avro: ${value} is not a 32-bit int`);
    }
    this.writeLong(BigInt(value));
  }

  /** Writes a 64-bit long as a zig-zag varint; a `number` must be a safe integer. */
  writeLong(value: bigint | number): void {
    const long = toLong(value);
    // Zig-zag maps signed to unsigned so that small magnitudes take few bytes.
    let zigzag = BigInt.asUintN(64, (long << 1n) ^ (long >> 63n));
    this.reserve(10);
    while (zigzag >= 0x80n) {
      this.buffer[this.length++] = Number(zigzag & 0x7fn) | 0x80;
      zigzag >>= 7n;
    }
    this.buffer[this.length++] = Number(zigzag);
  }

  writeFloat(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }

  writeDouble(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Writes `bytes` as a length-prefixed byte sequence. */
  writeBytes(bytes: Uint8Array): void {
    this.writeLong(bytes.length);
    this.writeRaw(bytes);
  }

  writeString(value: string): void {
    this.writeBytes(utf8.encode(value));
  }

  /** Writes bytes without a length prefix (fixed values, sync markers, file magic). */
  writeRaw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

function toLong(value: bigint | number): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AvroError(`avro: ${value} is not a safe integer for a long`);
    return BigInt(value);
  }
  if (value < LONG_MIN || value > LONG_MAX) throw new AvroError(`avro: ${value} is outside the 64-bit long range`);
  return value;
}

/** Appends `value` encoded by `type`; throws AvroError naming the path when the value does not match. */
export function encodeAvroValue(encoder: AvroEncoder, type: AvroType, value: AvroValue | undefined, path = '$'): void {
  switch (type.kind) {
    case 'primitive':
      encodePrimitive(encoder, type.name, value, path);
      return;

    case 'record': {
      if (!isRecordValue(value)) throw mismatch(path, `record ${type.name}`, value);
      for (const field of type.fields) {
        encodeAvroValue(encoder, field.type, value[field.name], `${path}.${field.name}`);
      }
      return;
    }

    case 'array': {
      if (!Array.isArray(value)) throw mismatch(path, 'array', value);
      const items = value as readonly AvroValue[];
      // One block holding every item, then the zero count that ends the array.
      if (items.length > 0) {
        encoder.writeLong(items.length);
        items.forEach((item, index) => encodeAvroValue(encoder, type.items, item, `${path}[${index}]`));
      }
      encoder.writeLong(0);
      return;
    }

    case 'map': {
      const entries = mapEntries(value, path);
      if (entries.length > 0) {
        encoder.writeLong(entries.length);
        for (const [key, item] of entries) {
          encoder.writeString(key);
          encodeAvroValue(encoder, type.values, item, `${path}[${JSON.stringify(key)}]`);
        }
      }
      encoder.writeLong(0);
      return;
    }

    case 'union': {
      const branch = type.branches.findIndex((candidate) => matchesType(candidate, value));
      if (branch < 0) throw mismatch(path, 'any branch of the union', value);
      encoder.writeLong(branch);
      encodeAvroValue(encoder, type.branches[branch] as AvroType, value, path);
      return;
    }

    case 'fixed':
      if (!(value instanceof Uint8Array) || value.length !== type.size) {
        throw mismatch(path, `fixed ${type.name} of ${type.size} bytes`, value);
      }
      encoder.writeRaw(value);
      return;

    case 'enum': {
      const index = typeof value === 'string' ? type.symbols.indexOf(value) : -1;
      if (index < 0) throw mismatch(path, `a symbol of enum ${type.name}`, value);
      encoder.writeInt(index);
      return;
    }
  }
}

function encodePrimitive(encoder: AvroEncoder, name: string, value: AvroValue | undefined, path: string): void {
  switch (name) {
    case 'null':
      if (value !== null && value !== undefined) throw mismatch(path, 'null', value);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(path, 'boolean', value);
      encoder.writeBoolean(value);
      return;
    case 'int':
      if (typeof value !== 'number') throw mismatch(path, 'int', value);
      encoder.writeInt(value);
      return;
    case 'long':
      if (typeof value !== 'number' && typeof value !== 'bigint') throw mismatch(path, 'long', value);
      encoder.writeLong(value);
      return;
    case 'float':
      if (typeof value !== 'number') throw mismatch(path, 'float', value);
      encoder.writeFloat(value);
      return;
    case 'double':
      if (typeof value !== 'number') throw mismatch(path, 'double', value);
      encoder.writeDouble(value);
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw mismatch(path, 'bytes', value);
      encoder.writeBytes(value);
      return;
    case 'string':
      if (typeof value !== 'string') throw mismatch(path, 'string', value);
      encoder.writeString(value);
      return;
  }
}

/** Tells whether `value` can be encoded as `type`, to pick the branch of a union. Checks the top level only. */
function matchesType(type: AvroType, value: AvroValue | undefined): boolean {
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'null':
          return value === null || value === undefined;
        case 'boolean':
          return typeof value === 'boolean';
        case 'int':
          return typeof value === 'number' && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX;
        case 'long':
          return typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
        case 'float':
        case 'double':
          return typeof value === 'number';
        case 'bytes':
          return value instanceof Uint8Array;
        case 'string':
          return typeof value === 'string';
      }
      return false;
    case 'record':
      return isRecordValue(value);
    case 'array':
      return Array.isArray(value);
    case 'map':
      return value instanceof Map || isRecordValue(value);
    case 'fixed':
      return value instanceof Uint8Array && value.length === type.size;
    case 'enum':
      return typeof value === 'string' && type.symbols.includes(value);
    case 'union':
      return type.branches.some((branch) => matchesType(branch, value));
  }
}

function isRecordValue(value: AvroValue | undefined): value is AvroRecordValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map)
  );
}

function mapEntries(value: AvroValue | undefined, path: string): Array<[string, AvroValue]> {
  if (value instanceof Map) return [...(value as ReadonlyMap<string, AvroValue>)];
  if (isRecordValue(value)) return Object.entries(value);
  throw mismatch(path, 'map', value);
}

function mismatch(path: string, expected: string, value: AvroValue | undefined): AvroError {
  return new AvroError(`avro: value at ${path} is not a valid ${expected}: got ${describe(value)}`);
}

function describe(value: AvroValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Map) return 'a Map';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return `${typeof value} ${String(value)}`;
}
