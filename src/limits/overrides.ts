import { z } from 'zod';

import { TenantlogError } from '../errors';

export type OverrideType = 'increase' | 'bypass' | 'block';

/** Largest multiplier an `increase` override may carry. */
export const MAX_OVERRIDE_MULTIPLIER = 1000;
/** Maximum length of a reason, in characters. */
export const MAX_REASON_LENGTH = 500;

/** An admin override of one tenant's rate limits, as `ratelimit.override.set` records it. */
export interface RateLimitOverride {
  id: string;
  type: OverrideType;
  /** Factor applied to every limit: > 0 for `increase`, exactly 0 for `block`, null for `bypass`. */
  multiplier: number | null;
  /** ms since the Unix epoch after which the override no longer applies, or null for no expiry. */
  expiresAt: number | null;
  reason: string;
  /** ms since the Unix epoch */
  createdAt: number;
}

/** Tells whether an override applies at `now`: it lapses at its expiry without any event. */
export function isOverrideActive(override: RateLimitOverride, now: number): boolean {
  return override.expiresAt === null || override.expiresAt > now;
}

/** Combined effect of a tenant's active overrides on its limits. */
export type OverrideEffect =
  | { kind: 'none' }
  | { kind: 'block'; override: RateLimitOverride }
  | { kind: 'bypass'; override: RateLimitOverride }
  | { kind: 'scale'; multiplier: number; override: RateLimitOverride };

/**
 * Combines a tenant's active overrides: a block wins over everything (so an
 * incident response is never undone by an older increase), then a bypass, then the
 * largest `increase` multiplier. The multiplier is compared with `=== 0`, never by
 * truthiness, because a falsy check would turn a block into unlimited access.
 */
export function combineOverrides(overrides: readonly RateLimitOverride[], now: number): OverrideEffect {
  const active = overrides.filter((override) => isOverrideActive(override, now));
  const block = active.find((override) => override.type === 'block' || override.multiplier === 0);
  if (block) return { kind: 'block', override: block };
  const bypass = active.find((override) => override.type === 'bypass');
  if (bypass) return { kind: 'bypass', override: bypass };

  let strongest: RateLimitOverride | null = null;
  for (const override of active) {
    if (override.multiplier === null) continue;
    if (strongest === null || override.multiplier > strongest.multiplier!) strongest = override;
  }
  return strongest === null ? { kind: 'none' } : { kind: 'scale', multiplier: strongest.multiplier!, override: strongest };
}

/**
 * Latest accepted `expiresAt`: the end of year 9999, in ms since the Unix epoch.
 * Later times have ISO 8601 forms with a six-digit year (`+275760-09-13...`) that
 * the `expiresAt` input does not accept, so a listed override could not be sent back.
 */
export const MAX_EXPIRES_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MAX_EXPIRES_AT_ISO = new Date(MAX_EXPIRES_AT_MS).toISOString();

const isoTimestamp = z.iso.datetime({ offset: true });

const overrideRequest = z.strictObject({
  type: z.enum(['increase', 'bypass', 'block']),
  multiplier: z.number().min(0).max(MAX_OVERRIDE_MULTIPLIER).optional(),
  /** ms since the Unix epoch or an ISO 8601 time with offset; `parseExpiresAt` checks it. */
  expiresAt: z.unknown().optional(),
  reason: z.string().trim().min(1).max(MAX_REASON_LENGTH),
});

/** Reads `expiresAt` as ms since the Unix epoch, or null when absent or null. */
function parseExpiresAt(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw invalidExpiresAt(`expiresAt ${value} is not a whole number of milliseconds since the Unix epoch; round it`);
    }
    ms = value;
  } else if (typeof value === 'string' && isoTimestamp.safeParse(value).success) {
    ms = Date.parse(value);
  } else {
    throw invalidExpiresAt('expiresAt must be ms since the Unix epoch or an ISO 8601 time with offset, such as "2030-01-01T00:00:00Z"');
  }
  if (!(ms >= 0 && ms <= MAX_EXPIRES_AT_MS)) {
    throw invalidExpiresAt(`expiresAt ${JSON.stringify(value)} is out of range; use a time from 1970 to ${MAX_EXPIRES_AT_ISO} (${MAX_EXPIRES_AT_MS} ms)`);
  }
  return ms;
}

function invalidExpiresAt(message: string): TenantlogError {
  return new TenantlogError('VALIDATION_FAILED', `invalid override: ${message}`, { details: { field: 'expiresAt' } });
}

export type OverrideRequest = z.input<typeof overrideRequest>;

/**
 * Turns a `POST .../overrides` body into the fields of a new override. Any
 * multiplier of 0 means a block, whatever the type, because operators write
 * `{"type": "increase", "multiplier": 0}` to revoke access during an incident.
 * Throws VALIDATION_FAILED naming the field for anything else that does not fit.
 */
export function parseOverrideRequest(
  body: unknown,
  now: number,
): Pick<RateLimitOverride, 'type' | 'multiplier' | 'expiresAt' | 'reason'> {
  const result = overrideRequest.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw new TenantlogError('VALIDATION_FAILED', `invalid override: ${field} ${issue.message}`, { details: { field } });
  }
  const { type, multiplier, reason } = result.data;
  const expiresAt = parseExpiresAt(result.data.expiresAt);
  if (expiresAt !== null && expiresAt <= now) {
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `invalid override: expiresAt ${new Date(expiresAt).toISOString()} is not in the future; omit it for an override without expiry`,
      { details: { field: 'expiresAt' } },
    );
  }

  if (multiplier === 0 || type === 'block') {
    if (multiplier !== undefined && multiplier !== 0) {
      throw new TenantlogError('VALIDATION_FAILED', `invalid override: a block has multiplier 0, not ${multiplier}; omit it`, {
        details: { field: 'multiplier' },
      });
    }
    return { type: 'block', multiplier: 0, expiresAt, reason };
  }
  if (type === 'bypass') {
    if (multiplier !== undefined) {
      throw new TenantlogError('VALIDATION_FAILED', `invalid override: a bypass takes no multiplier (got ${multiplier}); use type "increase" to scale limits`, {
        details: { field: 'multiplier' },
      });
    }
    return { type: 'bypass', multiplier: null, expiresAt, reason };
  }
  if (multiplier === undefined) {
    throw new TenantlogError('VALIDATION_FAILED', 'invalid override: multiplier is required for type "increase"', {
      details: { field: 'multiplier' },
    });
  }
  if (multiplier < 1) {
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `invalid override: an increase needs a multiplier of at least 1, not ${multiplier}, because it may not lower the limit; use multiplier 0 or type "block" to stop requests`,
      { details: { field: 'multiplier' } },
    );
  }
  return { type: 'increase', multiplier, expiresAt, reason };
}
