/**
 * Mean of the last `capacity` samples, in O(1) per sample.
 *
 * In workerd the clock only advances across I/O, so a purely synchronous SQLite
 * query measures as 0 ms. Samples therefore show time spent waiting on I/O, such
 * as reading the request body or an input gate held by a storage write.
 */
export class RollingAverage {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;

  constructor(capacity = 128) {
    this.samples = new Float64Array(capacity);
  }

  add(value: number): void {
    if (this.count === this.samples.length) {
      this.sum -= this.samples[this.next]!;
    } else {
      this.count += 1;
    }
    this.samples[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.samples.length;
  }

  /** Mean of the retained samples, 0 before the first one. */
  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}

/**
 * Paths of the data API whose handlers wait on nothing but the request body and
 * this object's SQLite: things, relationships, batch and stats. `/events` is left
 * out because it may read trimmed events back from R2, and admin routes because
 * they wait on R2, the catalog and other objects.
 */
const STORAGE_ONLY_PATH = /^\/(?:things|relationships)(?:\/[^/]+)?$|^\/(?:batch|stats)$/;

/** Tells whether a request's duration counts toward `avgQueryLatencyMs`; see STORAGE_ONLY_PATH. */
export function countsTowardQueryLatency(path: string): boolean {
  return STORAGE_ONLY_PATH.test(path);
}
