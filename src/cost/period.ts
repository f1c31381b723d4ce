import { TenantlogError } from '../errors';

/** A billing period: one calendar month in UTC. */
export interface BillingPeriod {
  /** `YYYY-MM`. */
  id: string;
  /** First ms of the month. */
  start: number;
  /** First ms of the next month; the period covers [start, end). */
  end: number;
}

/** Returns the period that contains `ms` (ms since the Unix epoch). */
export function periodAt(ms: number): BillingPeriod {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    id: `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`,
    start: utcMonthStart(year, month),
    end: utcMonthStart(year, month + 1),
  };
}

/**
 * First ms of `month` (0-based, may be 12) of `year` in UTC. `Date.UTC` reads the
 * years 0 to 99 as 1900 to 1999, so the year is set separately.
 */
function utcMonthStart(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 1);
  return date.getTime();
}

/** Parses a `YYYY-MM` period id; throws VALIDATION_FAILED on anything else. */
export function parsePeriodId(id: string): BillingPeriod {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(id);
  if (!match) {
    throw new TenantlogError('VALIDATION_FAILED', `period ${JSON.stringify(id)} is invalid: use YYYY-MM, such as 2026-01`);
  }
  return periodAt(utcMonthStart(Number(match[1]), Number(match[2]) - 1));
}
