import type { z } from 'zod';

/**
 * One event type: the schema of its current payload version and the upcasters
 * that lift older stored payloads to it. Stored events are never rewritten; old
 * versions are upcast when read.
 */
export interface EventTypeDefinition<Payload> {
  schemaVersion: number;
  payload: z.ZodType<Payload>;
  /**
   * Returns the data `payload.safeParse` returns, for the payloads this check
   * can accept faster than zod, and undefined for all others, which zod then
   * checks. Every append validates its payloads, and zod took 0.9 µs for the
   * `thing.created` payload of `npm run bench -- append` (workerd of wrangler 4.86).
   */
  parseFast?: (payload: unknown) => Payload | undefined;
  /** `upcasters[n]` turns a version-n payload into a version-(n+1) payload. */
  upcasters?: Record<number, (payload: unknown) => unknown>;
}

/** A type name with its definition, as each `events/types/*` module lists them. */
export type EventTypeEntry = readonly [type: string, definition: EventTypeDefinition<unknown>];
