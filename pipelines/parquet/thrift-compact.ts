/**
 * Decoder for the Thrift compact protocol, enough to read Parquet footers.
 *
 * It decodes any struct generically into field-id-keyed maps, so readers pick the
 * fields they know and skip the rest, as Thrift's schema evolution intends.
 * Integers of type i64 decode to bigint, the others to number.
 */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftValue[] | ThriftStruct | ThriftMap;
export type ThriftStruct = Map<number, ThriftValue>;
export type ThriftMap = Array<[ThriftValue, ThriftValue]>;

const CompactType = {
  Stop: 0,
  BooleanTrue: 1,
  BooleanFalse: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
  Uuid: 13,
} as const;

// Nesting deeper than this is not a Parquet footer, and the limit stops stack exhaustion on hostile input.
const MAX_DEPTH = 64;

export class ThriftCompactReader {
  private position: number;

  constructor(
    private readonly bytes: Uint8Array,
    offset = 0,
  ) {
    this.position = offset;
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.position;
  }

  readStruct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw this.error(`structs nested deeper than ${MAX_DEPTH}`);
    const fields: ThriftStruct = new Map();
    let fieldId = 0;
    for (;;) {
      const header = this.readByte();
      const type = header & 0x0f;
      if (type === CompactType.Stop) return fields;
      const delta = header >> 4;
      fieldId = delta === 0 ? this.readZigZag32() : fieldId + delta;
      // A boolean field carries its value in the type nibble.
      if (type === CompactType.BooleanTrue || type === CompactType.BooleanFalse) {
        fields.set(fieldId, type === CompactType.BooleanTrue);
      } else {
        fields.set(fieldId, this.readValue(type, depth));
      }
    }
  }

  private readValue(type: number, depth: number): ThriftValue {
    switch (type) {
      case CompactType.BooleanTrue:
        return true;
      case CompactType.BooleanFalse:
        return false;
      case CompactType.Byte:
        return (this.readByte() << 24) >> 24;
      case CompactType.I16:
      case CompactType.I32:
        return this.readZigZag32();
      case CompactType.I64:
        return this.readZigZag64();
      case CompactType.Double: {
        const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, 8).getFloat64(0, true);
        this.skip(8);
        return value;
      }
      case CompactType.Binary: {
        const length = this.readVarint();
        const start = this.position;
        this.skip(length);
        return this.bytes.subarray(start, start + length);
      }
      case CompactType.Uuid: {
        const start = this.position;
        this.skip(16);
        return this.bytes.subarray(start, start + 16);
      }
      case CompactType.List:
      case CompactType.Set:
        return this.readList(depth);
      case CompactType.Map:
        return this.readMap(depth);
      case CompactType.Struct:
        return this.readStruct(depth + 1);
      default:
        throw this.error(`unknown compact type ${type}`);
    }
  }

  private readList(depth: number): ThriftValue[] {
    const header = this.readByte();
    const elementType = header & 0x0f;
    const size = header >> 4 === 0x0f ? this.readVarint() : header >> 4;
    const items: ThriftValue[] = [];
    for (let i = 0; i < size; i++) {
      if (elementType === CompactType.BooleanTrue || elementType === CompactType.BooleanFalse) {
        // Inside collections a boolean takes a byte of its own: 1 is true.
        items.push(this.readByte() === 1);
      } else {
        items.push(this.readValue(elementType, depth + 1));
      }
    }
    return items;
  }

  private readMap(depth: number): ThriftMap {
    const size = this.readVarint();
    if (size === 0) return [];
    const types = this.readByte();
    const entries: ThriftMap = [];
    for (let i = 0; i < size; i++) {
      entries.push([this.readValue(types >> 4, depth + 1), this.readValue(types & 0x0f, depth + 1)]);
    }
    return entries;
  }

  private readByte(): number {
    if (this.position >= this.bytes.length) throw this.error('unexpected end of input');
    return this.bytes[this.position++]!;
  }

  private skip(length: number): void {
    if (length < 0 || this.position + length > this.bytes.length) throw this.error('unexpected end of input');
    this.position += length;
  }

  private readVarint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 5; i++) {
      const byte = this.readByte();
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return result;
      multiplier *= 128;
    }
    throw this.error('varint longer than 5 bytes');
  }

  private readZigZag32(): number {
    const value = this.readVarint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  private readZigZag64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.readByte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw this.error('varint longer than 10 bytes');
  }

  private error(message: string): Error {
    return new Error(`Thrift compact input is invalid at byte ${this.position}: ${message}`);
  }
}
