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
  /** The first 14 characters of an id of `lastMs`: its time in hex with two hyphens. */
  private timeText = '';

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
    if (ms !== this.lastMs) this.timeText = timeText(ms);
    this.lastMs = ms;

    // rand_a is the counter after the version nibble 7, and rand_b is 62 random bits after the variant bits 10.
    const offset = takeRandomBytes(8);
    const random = randomPool;
    return (
      `${this.timeText}${HEX_BYTES[0x70 | (this.counter >>> 8)]}${HEX_BYTES[this.counter & 0xff]}-` +
      `${HEX_BYTES[0x80 | (random[offset]! & 0x3f)]}${HEX_BYTES[random[offset + 1]!]}-` +
      `${HEX_BYTES[random[offset + 2]!]}${HEX_BYTES[random[offset + 3]!]}${HEX_BYTES[random[offset + 4]!]}` +
      `${HEX_BYTES[random[offset + 5]!]}${HEX_BYTES[random[offset + 6]!]}${HEX_BYTES[random[offset + 7]!]}`
    );
  }
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Writes `ms` as the 48-bit big-endian time field: 12 hex digits, a hyphen after the 8th and after the 12th. */
function timeText(ms: number): string {
  // ms stays below 2^48 until the year 10889.
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-`;
}

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
