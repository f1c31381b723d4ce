/**
 * UUIDv7 generator (RFC 9562): 48 bits of Unix time in ms, then 74 random bits.
 *
 * Within one millisecond the 12-bit `rand_a` field is used as a counter that starts
 * at a random value below 2048, so ids made by one generator sort in creation order
 * (RFC 9562, section 6.2, method 1). If the counter overflows, the timestamp is
 * advanced by one ms rather than reusing a value.
 */
export class UuidV7Generator {
  private lastMs = -1;
  private counter = 0;
  /**
   * The ASCII text of the last id. Its first 14 characters, the time in hex with
   * two hyphens, stay as they are while the time does.
   */
  private readonly text = new TextEncoder().encode('00000000-0000-7000-8000-000000000000');

  /** Returns a new UUIDv7 string for time `nowMs` (ms since the Unix epoch). */
  next(nowMs: number): string {
    let ms = Math.max(Math.floor(nowMs), this.lastMs);
    if (ms === this.lastMs) {
      this.counter += 1;
      if (this.counter > 0xfff) {
        ms += 1;
        this.counter = randomCounterStart();
      }
    } else {
      this.counter = randomCounterStart();
    }
    if (ms !== this.lastMs) {
      // 48-bit big-endian timestamp; ms stays below 2^48 until the year 10889.
      writeHex(this.text, 0, Math.floor(ms / 2 ** 16), 8);
      writeHex(this.text, 9, ms % 2 ** 16, 4);
    }
    this.lastMs = ms;

    // rand_a is the counter after the version nibble 7, and rand_b is 62 random bits after the variant bits 10.
    writeHex(this.text, 14, 0x7000 | this.counter, 4);
    const offset = takeRandomBytes(8);
    writeHex(this.text, 19, 0x8000 | (((randomPool[offset]! << 8) | randomPool[offset + 1]!) & 0x3fff), 4);
    writeHex(this.text, 24, (randomPool[offset + 2]! << 8) | randomPool[offset + 3]!, 4);
    writeHex(this.text, 28, ((randomPool[offset + 4]! << 24) | (randomPool[offset + 5]! << 16) | (randomPool[offset + 6]! << 8) | randomPool[offset + 7]!) >>> 0, 8);
    // One decode gives a flat string, where concatenating pieces would give a rope that takes several times its heap.
    return decoder.decode(this.text);
  }
}

/** Writes `value` as `digits` lower-case hex digits into `text` from `offset`. */
function writeHex(text: Uint8Array, offset: number, value: number, digits: number): void {
  for (let digit = digits - 1; digit >= 0; digit--) {
    text[offset + digit] = HEX_DIGIT_CODES[value % 16]!;
    value = Math.floor(value / 16);
  }
}

/** ASCII codes of the lower-case hex digits. */
const HEX_DIGIT_CODES = new TextEncoder().encode('0123456789abcdef');
const decoder = new TextDecoder();

/**
 * Random bytes from the platform's CSPRNG, fetched 4 KiB at a time, so that most
 * ids make no call into native code.
 */
const randomPool = new Uint8Array(4096);
let randomTaken = randomPool.length;

/** Returns the offset in `randomPool` of `count` bytes that no other caller gets. */
function takeRandomBytes(count: number): number {
  if (randomTaken + count > randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomTaken = 0;
  }
  const offset = randomTaken;
  randomTaken += count;
  return offset;
}

function randomCounterStart(): number {
  const offset = takeRandomBytes(2);
  return ((randomPool[offset]! << 8) | randomPool[offset + 1]!) & 0x7ff;
}

/** Extracts the Unix time in ms from a UUIDv7 string. */
export function uuidV7Timestamp(uuid: string): number {
  const hex = uuid.replace(/-/g, '').slice(0, 12);
  return Number.parseInt(hex, 16);
}
