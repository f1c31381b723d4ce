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
    this.lastMs = ms;

    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes.subarray(8));
    // 48-bit big-endian timestamp; ms stays below 2^48 until the year 10889.
    const high = Math.floor(ms / 2 ** 32);
    const low = ms >>> 0;
    bytes[0] = (high >>> 8) & 0xff;
    bytes[1] = high & 0xff;
    bytes[2] = (low >>> 24) & 0xff;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | ((this.counter >>> 8) & 0x0f);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);

    let hex = '';
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function randomCounterStart(): number {
  const value = new Uint16Array(1);
  crypto.getRandomValues(value);
  return value[0]! & 0x7ff;
}

/** Extracts the Unix time in ms from a UUIDv7 string. */
export function uuidV7Timestamp(uuid: string): number {
  const hex = uuid.replace(/-/g, '').slice(0, 12);
  return Number.parseInt(hex, 16);
}
