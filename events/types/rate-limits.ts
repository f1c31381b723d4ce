import { z } from 'zod';

import { rateLimitSettings } from '../../src/limits/rate-limit-config';
import type { EventTypeEntry } from './definition';

/** The settings the admin sent; fields left out follow the deployment defaults. */
const rateLimitConfigured = z.object({ settings: rateLimitSettings });

const overrideSet = z.object({
  id: z.string().min(1).max(64),
  type: z.enum(['increase', 'bypass', 'block']),
  /** > 0 for `increase`, exactly 0 for `block`, null for `bypass`. */
  multiplier: z.number().min(0).nullable(),
  /** ms since the Unix epoch, or null for no expiry. */
  expiresAt: z.number().int().nullable(),
  reason: z.string().min(1),
});

const overrideLifted = z.object({
  id: z.string().min(1).max(64),
  reason: z.string().nullable(),
});

export type RateLimitConfigured = z.infer<typeof rateLimitConfigured>;
export type RateLimitOverrideSet = z.infer<typeof overrideSet>;
export type RateLimitOverrideLifted = z.infer<typeof overrideLifted>;

export const rateLimitEventTypes: readonly EventTypeEntry[] = [
  ['ratelimit.configured', { schemaVersion: 1, payload: rateLimitConfigured }],
  ['ratelimit.override.set', { schemaVersion: 1, payload: overrideSet }],
  ['ratelimit.override.lifted', { schemaVersion: 1, payload: overrideLifted }],
];
