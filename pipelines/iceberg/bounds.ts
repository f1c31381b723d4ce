/**
 * Binary single-value serialization (Iceberg table spec, Appendix D), the form of
 * `lower_bounds`, `upper_bounds` and partition summary bounds in manifests, plus the
 * truncation of string bounds.
 */
import { IcebergError } from './iceberg-error';

/**
 * A single value in JavaScript form. Booleans are `boolean`, and int, date (days), float
 * and double are `number`. Long, time, timestamp and timestamptz are `bigint`, in
 * microseconds (nanoseconds for the `_ns` types). String, uuid and decimal are `string`,
 * and binary and fixed are `Uint8Array`.
 */
export type SingleValue = boolean | number | bigint | string | Uint8Array;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONG_TYPES = new Set(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const MICROS_PER_DAY = 86_400_000_000n;

/** Serializes `value` of the Iceberg primitive `type`; throws IcebergError when the value does not fit the type. */
export function serializeSingleValue(type: string, value: SingleValue): Uint8Array {
  if (type === 'boolean' && typeof value === 'boolean') return new Uint8Array([value ? 1 : 0]);
  if ((type === 'int' || type === 'date') && typeof value === 'number' && isInt32(value)) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, value, true);
    return bytes;
  }
  if (LONG_TYPES.has(type) && (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value)))) {
    const long = BigInt(value);
    if (long !== BigInt.asIntN(64, long)) throw invalidValue(type, value);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, long, true);
    return bytes;
  }
  if (type === 'float' && typeof value === 'number') {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return bytes;
  }
  if (type === 'double' && typeof value === 'number') {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return bytes;
  }
  if (type === 'string' && typeof value === 'string') return utf8.encode(value);
  if (type === 'uuid' && typeof value === 'string') return uuidToBytes(value);
  if ((type === 'binary' || type.startsWith('fixed[')) && value instanceof Uint8Array) return value.slice();
  throw invalidValue(type, value);
}

/**
 * Deserializes a bound of the Iceberg primitive `type`. A 4-byte `long` bound reads as an
 * int and a 4-byte timestamp bound as a date (in the timestamp's unit), because type
 * promotion does not rewrite bounds written before the promotion.
 */
export function deserializeSingleValue(type: string, bytes: Uint8Array): SingleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'boolean') {
    expectLength(type, bytes, 1);
    return bytes[0] !== 0;
  }
  if (type === 'int' || type === 'date') {
    expectLength(type, bytes, 4);
    return view.getInt32(0, true);
  }
  if (LONG_TYPES.has(type)) {
    if (bytes.length === 4) {
      const int = BigInt(view.getInt32(0, true));
      if (type === 'long') return int;
      if (type.startsWith('timestamp')) return int * MICROS_PER_DAY * (type.endsWith('_ns') ? 1000n : 1n);
    }
    expectLength(type, bytes, 8);
    return view.getBigInt64(0, true);
  }
  if (type === 'float') {
    expectLength(type, bytes, 4);
    return view.getFloat32(0, true);
  }
  if (type === 'double') {
    if (bytes.length === 4) return view.getFloat32(0, true);
    expectLength(type, bytes, 8);
    return view.getFloat64(0, true);
  }
  if (type === 'string') {
    try {
      return utf8Decoder.decode(bytes);
    } catch (error) {
      throw new IcebergError(`bound of type string is not valid UTF-8 (${bytes.length} bytes)`, { cause: error });
    }
  }
  if (type === 'uuid') {
    expectLength(type, bytes, 16);
    return bytesToUuid(bytes);
  }
  if (type === 'binary' || type.startsWith('fixed[')) return bytes.slice();
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal !== null) return decimalToString(bytes, Number(decimal[2]));
  throw new IcebergError(`bounds of type ${JSON.stringify(type)} are not supported`);
}

/** Truncates a string lower bound to at most `length` code points; a prefix never sorts after the value. */
export function truncateLowerBound(value: string, length: number): string {
  const codePoints = Array.from(value);
  return codePoints.length <= length ? value : codePoints.slice(0, length).join('');
}

/**
 * Truncates a string upper bound to at most `length` code points, then increments the
 * last code point that can be incremented so that the result still sorts after every
 * value with that prefix. Returns undefined when no such bound exists (all code points
 * are U+10FFFF), in which case the upper bound must be omitted.
 */
export function truncateUpperBound(value: string, length: number): string | undefined {
  const codePoints = Array.from(value);
  if (codePoints.length <= length) return value;
  const prefix = codePoints.slice(0, length);
  for (let index = prefix.length - 1; index >= 0; index--) {
    let next = (prefix[index] as string).codePointAt(0)! + 1;
    // Skip the surrogate range, which contains no characters of its own.
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return prefix.slice(0, index).join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/**
 * Orders two values of the Iceberg primitive `type`: numbers numerically, false before
 * true, and strings and bytes by the unsigned bytes of their serialized form (UTF-8
 * byte order is code point order, unlike JavaScript's UTF-16 `<`).
 */
export function compareSingleValues(type: string, a: SingleValue, b: SingleValue): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareBytes(serializeSingleValue(type, a), serializeSingleValue(type, b));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const difference = (a[index] as number) - (b[index] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value <= 2 ** 31 - 1;
}

function expectLength(type: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new IcebergError(`bound of type ${type} must be ${length} bytes, got ${bytes.length}`);
  }
}

function invalidValue(type: string, value: SingleValue): IcebergError {
  const shown = value instanceof Uint8Array ? `${value.length} bytes` : `${typeof value} ${String(value).slice(0, 40)}`;
  return new IcebergError(`cannot serialize ${shown} as a single value of type ${type}`);
}

function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new IcebergError(`invalid uuid ${JSON.stringify(uuid)}`);
  return Uint8Array.from({ length: 16 }, (_, index) => parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Decodes a two's-complement big-endian unscaled value and places the decimal point `scale` digits from the right. */
function decimalToString(bytes: Uint8Array, scale: number): string {
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0] as number) & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
