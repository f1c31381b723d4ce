/**
 * Number of bytes `TextEncoder` produces for `value`, without encoding it. A lone
 * surrogate counts 3 bytes because the encoder replaces it with U+FFFD.
 */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) {
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else {
        bytes += 3;
      }
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/**
 * Compares two strings by Unicode code point, which is also the order of their
 * UTF-8 bytes and the order Iceberg and Parquet use for string bounds. JavaScript's
 * `<` compares UTF-16 code units instead, which puts U+E000..U+FFFF after
 * supplementary characters.
 */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const a = left.charCodeAt(i);
    const b = right.charCodeAt(i);
    if (a !== b) return codePointRank(a) - codePointRank(b);
  }
  return left.length - right.length;
}

// Moves surrogates (0xD800..0xDFFF) above 0xFFFF and the units after them down,
// so that the first differing code unit orders the strings by code point.
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
