import type { z } from 'zod';

/**
 * One event type: the schema of its current payload version and the upcasters
 * that lift older stored payloads to it. Stored events are never rewritten; old
 * versions are upcast when read.
 */
export interface EventTypeDefinition<Payload> {
  schemaVersion: number;
  payload: z.ZodType<Payload>;
  /** `upcasters[n]` turns a version-n payload into a version-(n+1) payload. */
  upcasters?: Record<number, (payload: unknown) => unknown>;
}

/** A type name with its definition, as each `events/types/*` module lists them. */
export type EventTypeEntry = readonly [type: string, definition: EventTypeDefinition<unknown>];
