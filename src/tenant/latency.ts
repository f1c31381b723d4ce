/**
 * Mean of the last `capacity` samples, in O(1) per sample.
 *
 * In workerd the clock only advances across I/O, so a purely synchronous SQLite
 * query measures as 0 ms; samples therefore reflect time spent waiting on I/O.
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
