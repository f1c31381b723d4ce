/**
 * Source of the current time in ms since the Unix epoch. Injected wherever time
 * decides behaviour, because in Workers `Date.now()` only advances across I/O and
 * tests need to step it.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
