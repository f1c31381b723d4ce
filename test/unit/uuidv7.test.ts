import { describe, expect, it } from 'vitest';

import { UuidV7Generator, uuidV7Timestamp } from '../../events/uuidv7';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function bytesOf(uuid: string): number[] {
  const hex = uuid.replace(/-/g, '');
  return Array.from({ length: 16 }, (_, index) => Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

/** The 12-bit rand_a field, which the generator uses as a counter within one ms. */
function counterOf(uuid: string): number {
  const bytes = bytesOf(uuid);
  return ((bytes[6]! & 0x0f) << 8) | bytes[7]!;
}

describe('UuidV7Generator', () => {
  it('writes the canonical 8-4-4-4-12 lower-case hex form', () => {
    const id = new UuidV7Generator().next(Date.UTC(2030, 0, 1));
    expect(id).toMatch(UUID);
  });

  it('sets version 7 and the RFC 9562 variant', () => {
    const generator = new UuidV7Generator();
    for (let index = 0; index < 200; index++) {
      const bytes = bytesOf(generator.next(1_700_000_000_000 + index));
      expect(bytes[6]! >> 4).toBe(7);
      expect(bytes[8]! >> 6).toBe(0b10);
    }
  });

  it('stores the time in the first 48 bits', () => {
    const generator = new UuidV7Generator();
    for (const ms of [0, 1, 1_719_835_200_000, 2 ** 47 + 12345]) {
      const id = generator.next(ms);
      expect(uuidV7Timestamp(id)).toBe(ms);
    }
    expect(new UuidV7Generator().next(1_719_835_200_000).slice(0, 13)).toBe('01906e2a-8a00');
  });

  it('truncates fractional milliseconds', () => {
    expect(uuidV7Timestamp(new UuidV7Generator().next(1000.9))).toBe(1000);
  });

  it('orders ids made within one millisecond by a counter', () => {
    const generator = new UuidV7Generator();
    const ms = 1_800_000_000_000;
    const ids = Array.from({ length: 1000 }, () => generator.next(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (let index = 1; index < ids.length; index++) {
      expect(counterOf(ids[index]!)).toBe(counterOf(ids[index - 1]!) + 1);
    }
    expect(counterOf(ids[0]!)).toBeLessThan(2048);
  });

  it('moves to the next millisecond when the counter runs out', () => {
    const generator = new UuidV7Generator();
    const ms = 1_800_000_000_000;
    const ids = Array.from({ length: 5000 }, () => generator.next(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(uuidV7Timestamp(ids[0]!)).toBe(ms);
    expect(uuidV7Timestamp(ids[ids.length - 1]!)).toBeGreaterThan(ms);
  });

  it('stays ordered when the clock goes backwards', () => {
    const generator = new UuidV7Generator();
    const later = generator.next(2_000_000_000_000);
    const earlier = generator.next(1_000_000_000_000);
    expect(earlier > later).toBe(true);
    expect(uuidV7Timestamp(earlier)).toBe(2_000_000_000_000);
  });

  it('restarts the counter at a random value in a new millisecond', () => {
    const starts = new Set<number>();
    for (let ms = 0; ms < 64; ms++) starts.add(counterOf(new UuidV7Generator().next(1_800_000_000_000 + ms)));
    expect(starts.size).toBeGreaterThan(32);
  });

  it('fills the last 62 bits at random', () => {
    const generator = new UuidV7Generator();
    const tails = new Set(Array.from({ length: 100 }, () => generator.next(1_800_000_000_000).slice(19)));
    expect(tails.size).toBe(100);
  });
});
