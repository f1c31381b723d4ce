import { describe, expect, it } from 'vitest';

import { IcebergError } from '../../../pipelines/iceberg/iceberg-error';
import { generateSnapshotId, nextTimestampMs } from '../../../pipelines/iceberg/snapshot';
import { ManualClock } from '../../../src/clock';

/** A random source that returns the given 8-byte patterns in turn. */
function sequence(...patterns: number[][]): (bytes: Uint8Array) => Uint8Array {
  let call = 0;
  return (bytes) => {
    bytes.set(patterns[call++ % patterns.length]!);
    return bytes;
  };
}

describe('generateSnapshotId', () => {
  it('clears the sign bit', () => {
    const id = generateSnapshotId(new Set(), sequence([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(id).toBe(2n ** 63n - 1n);
  });

  it('skips zero and ids already taken', () => {
    const random = sequence([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 8]);
    expect(generateSnapshotId(new Set([7n]), random)).toBe(8n);
  });

  it('gives up on a broken random source', () => {
    expect(() => generateSnapshotId(new Set(), sequence([0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(IcebergError);
  });

  it('returns distinct positive 63-bit ids from crypto', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateSnapshotId(new Set())));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toBeGreaterThan(0n);
      expect(id).toBeLessThan(2n ** 63n);
    }
  });
});

describe('nextTimestampMs', () => {
  it('uses the clock when it is ahead', () => {
    expect(nextTimestampMs(new ManualClock(5_000), 1_000)).toBe(5_000);
  });

  it('steps 1 ms past the last update when the clock is not ahead', () => {
    expect(nextTimestampMs(new ManualClock(1_000), 1_000)).toBe(1_001);
    expect(nextTimestampMs(new ManualClock(10), 1_000)).toBe(1_001);
  });
});
