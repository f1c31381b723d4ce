import { z } from 'zod';

import { TenantlogError } from '../src/errors';

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

const thingId = z.string().min(1).max(256);
const thingType = z.string().min(1).max(128);

const thingCreated = z.object({ id: thingId, type: thingType, data: z.json() });
const thingUpdated = z.object({ id: thingId, type: thingType, data: z.json() });
const thingDeleted = z.object({ id: thingId });
const relationshipCreated = z.object({
  id: thingId,
  type: thingType,
  from: thingId,
  to: thingId,
  data: z.json(),
});
const relationshipDeleted = z.object({
  id: thingId,
  /** Set when the relationship went because its `from` or `to` thing was deleted. */
  cascadeFrom: thingId.optional(),
});

export type ThingCreated = z.infer<typeof thingCreated>;
export type ThingUpdated = z.infer<typeof thingUpdated>;
export type ThingDeleted = z.infer<typeof thingDeleted>;
export type RelationshipCreated = z.infer<typeof relationshipCreated>;
export type RelationshipDeleted = z.infer<typeof relationshipDeleted>;

const catalogue = new Map<string, EventTypeDefinition<unknown>>();

/** Adds an event type to the catalogue. Each type is registered once, at module load. */
export function defineEventType<Payload>(type: string, definition: EventTypeDefinition<Payload>): void {
  if (catalogue.has(type)) throw new Error(`event type ${type} is already defined`);
  catalogue.set(type, definition as EventTypeDefinition<unknown>);
}

defineEventType('thing.created', { schemaVersion: 1, payload: thingCreated });
defineEventType('thing.updated', { schemaVersion: 1, payload: thingUpdated });
defineEventType('thing.deleted', { schemaVersion: 1, payload: thingDeleted });
defineEventType('relationship.created', { schemaVersion: 1, payload: relationshipCreated });
defineEventType('relationship.deleted', { schemaVersion: 1, payload: relationshipDeleted });

/** Looks up a type; an unknown type is a broken invariant, not a user error. */
export function eventTypeDefinition(type: string): EventTypeDefinition<unknown> {
  const definition = catalogue.get(type);
  if (!definition) throw new TenantlogError('INTERNAL', `event type ${type} is not in the catalogue`);
  return definition;
}

export function eventTypes(): string[] {
  return [...catalogue.keys()].sort();
}

/**
 * Validates a new payload against its type's current schema and returns the parsed
 * value with the schema version to store.
 */
export function validatePayload(type: string, payload: unknown): { schemaVersion: number; payload: unknown } {
  const definition = eventTypeDefinition(type);
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new TenantlogError('INTERNAL', `payload of ${type} does not match its schema: ${parsed.error.message}`);
  }
  return { schemaVersion: definition.schemaVersion, payload: parsed.data };
}

/** Lifts a stored payload of `schemaVersion` to the type's current version. */
export function upcastPayload(type: string, schemaVersion: number, payload: unknown): unknown {
  const definition = eventTypeDefinition(type);
  let current = payload;
  for (let version = schemaVersion; version < definition.schemaVersion; version++) {
    const upcast = definition.upcasters?.[version];
    if (!upcast) {
      throw new TenantlogError('INTERNAL', `no upcaster for ${type} from schema version ${version}`);
    }
    current = upcast(current);
  }
  return current;
}
