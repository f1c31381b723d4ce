import { describe, expect, it } from 'vitest';

import {
  createWindowCounter,
  nextAdmissionAt,
  remainingRequests,
  SlidingWindowCounter,
  WINDOW_STRATEGIES,
  type WindowCounter,
  type WindowStrategy,
} from '../../../src/limits/window-counter';

/** A time aligned to every window length used here, so "0 s" is a window start. */
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 60_000);
const SECOND = 1000;

/** Admits and records a request when the count is below `limit`, as the limiter does. */
function attempt(counter: WindowCounter, limit: number, at: number): boolean {
  if (counter.count(at) >= limit) return false;
  counter.record(at);
  return true;
}

describe('window counters, limit 1 per 10 s', () => {
  const times = [0, 1 * SECOND, 10.001 * SECOND];

  for (const strategy of ['fixed', 'sliding-log'] as const) {
    it(`${strategy} admits 0 s, rejects 1 s, admits 10.001 s`, () => {
      const counter = createWindowCounter(strategy, 10 * SECOND);
      expect(times.map((t) => attempt(counter, 1, T0 + t))).toEqual([true, false, true]);
    });
  }

  it('sliding admits 10.001 s because the weighted count is 0.9999', () => {
    const counter = createWindowCounter('sliding', 10 * SECOND);
    expect(attempt(counter, 1, T0)).toBe(true);
    expect(attempt(counter, 1, T0 + SECOND)).toBe(false);
    // Previous window: 1 request, weight (10000 - 1) / 10000.
    expect(counter.count(T0 + 10.001 * SECOND)).toBeCloseTo(0.9999, 10);
    expect(attempt(counter, 1, T0 + 10.001 * SECOND)).toBe(true);
    expect(counter.count(T0 + 10.002 * SECOND)).toBeCloseTo(1.9998, 10);
    expect(attempt(counter, 1, T0 + 10.002 * SECOND)).toBe(false);
  });

  it('sliding rejects exactly at the boundary, where the weight is still 1', () => {
    const counter = createWindowCounter('sliding', 10 * SECOND);
    attempt(counter, 1, T0);
    expect(counter.count(T0 + 10 * SECOND)).toBe(1);
    expect(attempt(counter, 1, T0 + 10 * SECOND)).toBe(false);
  });
});

describe('window counters, limit 5', () => {
  for (const strategy of WINDOW_STRATEGIES) {
    it(`${strategy} admits exactly five per window across roll-overs`, () => {
      const windowMs = 10 * SECOND;
      const counter = createWindowCounter(strategy, windowMs);
      const admittedPerWindow = [0, 0, 0, 0];
      // A request every 100 ms for four windows.
      for (let t = 0; t < 4 * windowMs; t += 100) {
        if (attempt(counter, 5, T0 + t)) admittedPerWindow[Math.floor(t / windowMs)]! += 1;
      }
      expect(admittedPerWindow).toEqual([5, 5, 5, 5]);
    });

    it(`${strategy} never admits more than five within one aligned window`, () => {
      const counter = createWindowCounter(strategy, 10 * SECOND);
      let admitted = 0;
      for (let t = 0; t < 10 * SECOND; t += 7) if (attempt(counter, 5, T0 + t)) admitted += 1;
      expect(admitted).toBe(5);
    });
  }
});

describe('fixed window boundaries', () => {
  it('admits the fifth, rejects the sixth and the last ms, resets at the boundary', () => {
    const counter = createWindowCounter('fixed', 10 * SECOND);
    for (let i = 0; i < 4; i++) expect(attempt(counter, 5, T0 + i)).toBe(true);
    expect(remainingRequests(counter, 5, T0 + 4)).toBe(1);
    expect(attempt(counter, 5, T0 + 4)).toBe(true);
    expect(attempt(counter, 5, T0 + 5)).toBe(false);
    expect(attempt(counter, 5, T0 + 10 * SECOND - 1)).toBe(false);
    expect(counter.resetAt(T0 + 5)).toBe(T0 + 10 * SECOND);
    expect(attempt(counter, 5, T0 + 10 * SECOND)).toBe(true);
    expect(counter.count(T0 + 10 * SECOND)).toBe(1);
  });

  it('forgets a window that is two or more windows old', () => {
    const counter = createWindowCounter('fixed', SECOND);
    counter.record(T0);
    expect(counter.count(T0 + 5 * SECOND)).toBe(0);
  });
});

describe('sliding-log boundaries', () => {
  it('frees a slot exactly windowMs after the oldest request', () => {
    const counter = createWindowCounter('sliding-log', 10 * SECOND);
    attempt(counter, 2, T0);
    attempt(counter, 2, T0 + 3 * SECOND);
    expect(attempt(counter, 2, T0 + 9 * SECOND)).toBe(false);
    expect(counter.resetAt(T0 + 9 * SECOND)).toBe(T0 + 10 * SECOND);
    expect(attempt(counter, 2, T0 + 10 * SECOND - 1)).toBe(false);
    expect(attempt(counter, 2, T0 + 10 * SECOND)).toBe(true);
    expect(attempt(counter, 2, T0 + 12 * SECOND)).toBe(false);
    expect(attempt(counter, 2, T0 + 13 * SECOND)).toBe(true);
  });

  it('counts exact timestamps where sliding estimates', () => {
    // Five requests at the end of one window, then a query 5 s into the next.
    const log = createWindowCounter('sliding-log', 10 * SECOND);
    const sliding = createWindowCounter('sliding', 10 * SECOND);
    for (const counter of [log, sliding]) for (let i = 0; i < 5; i++) counter.record(T0 + 9.9 * SECOND + i);
    // All five fall in (5 s, 15 s]; the sliding estimate assumes they were spread out.
    expect(log.count(T0 + 15 * SECOND)).toBe(5);
    expect(sliding.count(T0 + 15 * SECOND)).toBe(2.5);
  });

  it('keeps counting correctly after compaction of old entries', () => {
    const counter = createWindowCounter('sliding-log', 100);
    for (let t = 0; t < 10_000; t += 10) counter.record(T0 + t);
    expect(counter.count(T0 + 9_990)).toBe(10);
    expect(counter.count(T0 + 20_000)).toBe(0);
  });
});

describe('SlidingWindowCounter weighting', () => {
  it('weights the previous window by the share of it still inside the window', () => {
    const counter = new SlidingWindowCounter(SECOND);
    for (let i = 0; i < 4; i++) counter.record(T0 + 100 + i);
    counter.record(T0 + SECOND + 10);
    counter.record(T0 + SECOND + 20);
    // 25 % into the second window: 4 × 0.75 + 2.
    expect(counter.count(T0 + 1250)).toBe(5);
    expect(counter.count(T0 + 1500)).toBe(4);
    // The first window no longer counts once it is two windows back.
    expect(counter.count(T0 + 2000)).toBe(2);
    expect(counter.count(T0 + 3000)).toBe(0);
  });

  it('reports remaining requests as the whole number still admitted', () => {
    const counter = new SlidingWindowCounter(10 * SECOND);
    counter.record(T0);
    expect(remainingRequests(counter, 1, T0 + 10.001 * SECOND)).toBe(1);
    expect(remainingRequests(counter, 3, T0 + 15 * SECOND)).toBe(3);
  });
});

describe('nextAdmissionAt', () => {
  const cases: Array<[WindowStrategy, number[]]> = [
    ['fixed', [0, 1000, 2000]],
    ['sliding', [0, 1000, 2000, 9000]],
    ['sliding-log', [0, 1000, 2000]],
  ];

  for (const [strategy, times] of cases) {
    it(`${strategy} returns the first ms at which a request fits`, () => {
      const counter = createWindowCounter(strategy, 10 * SECOND);
      for (const t of times) counter.record(T0 + t);
      const limit = 3;
      const now = T0 + 9_500;
      const admission = nextAdmissionAt(counter, limit, now);
      expect(admission).toBeGreaterThan(now);
      expect(counter.count(admission)).toBeLessThan(limit);
      expect(counter.count(admission - 1)).toBeGreaterThanOrEqual(limit);
    });
  }

  it('returns now when a request fits and Infinity for a limit of 0', () => {
    const counter = createWindowCounter('fixed', SECOND);
    expect(nextAdmissionAt(counter, 1, T0)).toBe(T0);
    expect(nextAdmissionAt(counter, 0, T0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('sliding-log waits for the oldest request to leave', () => {
    const counter = createWindowCounter('sliding-log', 10 * SECOND);
    counter.record(T0 + 1000);
    expect(nextAdmissionAt(counter, 1, T0 + 2000)).toBe(T0 + 11_000);
  });
});
