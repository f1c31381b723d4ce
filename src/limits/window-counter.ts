/** Counting method of a rate-limit window. */
export type WindowStrategy = 'fixed' | 'sliding' | 'sliding-log';

export const WINDOW_STRATEGIES: readonly WindowStrategy[] = ['fixed', 'sliding', 'sliding-log'];

/**
 * Counts admitted requests over a window of `windowMs`. Pure: every method takes
 * the current time (ms since the Unix epoch) as input, so the strategies run and
 * test without Workers. Callers pass non-decreasing times.
 */
export interface WindowCounter {
  readonly strategy: WindowStrategy;
  readonly windowMs: number;
  /** Requests counted at `now`; `sliding` returns a weighted estimate that may be fractional. */
  count(now: number): number;
  /** Records one admitted request at `now`. */
  record(now: number): void;
  /**
   * When the current window resets: the end of the aligned window for `fixed` and
   * `sliding`, and for `sliding-log` the time the oldest counted request leaves
   * the window (or `now` when none is counted).
   */
  resetAt(now: number): number;
}

/** Start of the epoch-aligned window of `windowMs` that contains `now`. */
export function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

/**
 * Fixed windows aligned to multiples of `windowMs` since the Unix epoch: the
 * count drops to 0 at each boundary. A burst at the end of one window and the
 * start of the next can admit twice the limit within one `windowMs`.
 */
export class FixedWindowCounter implements WindowCounter {
  readonly strategy = 'fixed';
  private start = Number.NEGATIVE_INFINITY;
  private current = 0;

  constructor(readonly windowMs: number) {}

  count(now: number): number {
    return windowStart(now, this.windowMs) === this.start ? this.current : 0;
  }

  record(now: number): void {
    const start = windowStart(now, this.windowMs);
    if (start !== this.start) {
      this.start = start;
      this.current = 0;
    }
    this.current += 1;
  }

  resetAt(now: number): number {
    return windowStart(now, this.windowMs) + this.windowMs;
  }
}

/**
 * Sliding window approximated from two aligned fixed windows:
 *
 *   count(now) = previous × (windowMs − elapsed) / windowMs + current
 *
 * where `current` counts requests since the start of the aligned window that
 * contains `now`, `elapsed` is `now` minus that start, and `previous` counts the
 * window before it. It assumes the previous window's requests were spread evenly,
 * so it stores two numbers instead of every timestamp. A request is admitted while
 * the weighted count is below the limit; `current` alone therefore never exceeds
 * the limit in one aligned window.
 */
export class SlidingWindowCounter implements WindowCounter {
  readonly strategy = 'sliding';
  private start = Number.NEGATIVE_INFINITY;
  private current = 0;
  private previous = 0;

  constructor(readonly windowMs: number) {}

  count(now: number): number {
    const { previous, current } = this.countsAt(now);
    const elapsed = now - windowStart(now, this.windowMs);
    return (previous * (this.windowMs - elapsed)) / this.windowMs + current;
  }

  record(now: number): void {
    const counts = this.countsAt(now);
    this.start = windowStart(now, this.windowMs);
    this.previous = counts.previous;
    this.current = counts.current + 1;
  }

  resetAt(now: number): number {
    return windowStart(now, this.windowMs) + this.windowMs;
  }

  /** The previous and current window counts as seen from the window containing `now`. */
  private countsAt(now: number): { previous: number; current: number } {
    const start = windowStart(now, this.windowMs);
    if (start === this.start) return { previous: this.previous, current: this.current };
    if (start === this.start + this.windowMs) return { previous: this.current, current: 0 };
    return { previous: 0, current: 0 };
  }
}

/**
 * Exact sliding window: keeps the timestamp of every admitted request and counts
 * those in (now − windowMs, now]. Memory grows with the limit, since at most
 * `limit` requests are admitted per window.
 */
export class SlidingLogCounter implements WindowCounter {
  readonly strategy = 'sliding-log';
  /** Timestamps in ascending order; entries before `head` have left the window. */
  private timestamps: number[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {}

  count(now: number): number {
    return this.timestamps.length - this.firstInWindow(now);
  }

  record(now: number): void {
    this.prune(now);
    this.timestamps.push(now);
  }

  resetAt(now: number): number {
    const oldest = this.timestamps[this.firstInWindow(now)];
    return oldest === undefined ? now : oldest + this.windowMs;
  }

  /** Index of the first timestamp still inside the window that ends at `now`, found by binary search. */
  private firstInWindow(now: number): number {
    const cutoff = now - this.windowMs;
    let low = this.head;
    let high = this.timestamps.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.timestamps[middle]! <= cutoff) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Drops timestamps that left the window; compacts the array once half of it is dead. */
  private prune(now: number): void {
    this.head = this.firstInWindow(now);
    if (this.head > 0 && this.head * 2 >= this.timestamps.length) {
      this.timestamps = this.timestamps.slice(this.head);
      this.head = 0;
    }
  }
}

export function createWindowCounter(strategy: WindowStrategy, windowMs: number): WindowCounter {
  switch (strategy) {
    case 'fixed':
      return new FixedWindowCounter(windowMs);
    case 'sliding':
      return new SlidingWindowCounter(windowMs);
    case 'sliding-log':
      return new SlidingLogCounter(windowMs);
  }
}

/** Requests that `limit` still admits at `now`: each admitted request adds exactly 1 to the count. */
export function remainingRequests(counter: WindowCounter, limit: number, now: number): number {
  return Math.max(0, Math.ceil(limit - counter.count(now)));
}

/**
 * Earliest whole ms at or after `now` at which `counter` admits one more request
 * under `limit`, assuming no other request is recorded meanwhile; Infinity for a
 * limit of 0. Without new records every strategy's count is non-increasing in
 * time and is 0 two windows after `now`, so a binary search over that span finds it.
 */
export function nextAdmissionAt(counter: WindowCounter, limit: number, now: number): number {
  if (limit <= 0) return Number.POSITIVE_INFINITY;
  if (counter.count(now) < limit) return now;
  let low = now;
  let high = now + 2 * counter.windowMs;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (counter.count(middle) < limit) high = middle;
    else low = middle;
  }
  return high;
}
