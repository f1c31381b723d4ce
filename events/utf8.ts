/**
 * Bytes of `text` in UTF-8, as `TextEncoder` writes it (an unpaired surrogate as
 * the 3 bytes of U+FFFD), counted without encoding it.
 */
export function utf8Length(text: string): number {
  // Most text is ASCII, which the regular expression finds about 4 times faster than the loop
  // below (0.13 against 0.55 µs for the 200-byte payload of the append bench, Node 20).
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      bytes += 2;
      index += 1;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

const NON_ASCII = /[^\x00-\x7f]/;
