import { z } from 'zod';

import type { EventTypeEntry } from './definition';
import { isJsonValue, jsonValue } from './json-value';

const MAX_ENTITY_ID_LENGTH = 256;
const MAX_ENTITY_TYPE_LENGTH = 128;

export const entityId = z.string().min(1).max(MAX_ENTITY_ID_LENGTH);
export const entityType = z.string().min(1).max(MAX_ENTITY_TYPE_LENGTH);

const thingCreated = z.object({ id: entityId, type: entityType, data: jsonValue });
/** Carries the thing's full data after the update, so replay never depends on merge rules. */
const thingUpdated = z.object({ id: entityId, type: entityType, data: jsonValue });
const thingDeleted = z.object({ id: entityId });

export type ThingCreated = z.infer<typeof thingCreated>;
export type ThingUpdated = z.infer<typeof thingUpdated>;
export type ThingDeleted = z.infer<typeof thingDeleted>;

/**
 * `thingCreated.parse` (and `thingUpdated.parse`) for a plain object that passes:
 * a new object of `id`, `type` and `data` in the schema's order, `data` as given.
 * Returns undefined for anything else, so that zod decides it and writes its error.
 */
export function parseThingPayload(payload: unknown): ThingCreated | undefined {
  if (typeof payload !== 'object' || payload === null || Object.getPrototypeOf(payload) !== Object.prototype) return undefined;
  const { id, type, data } = payload as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1 || id.length > MAX_ENTITY_ID_LENGTH) return undefined;
  if (typeof type !== 'string' || type.length < 1 || type.length > MAX_ENTITY_TYPE_LENGTH) return undefined;
  if (!isJsonValue(data)) return undefined;
  return { id, type, data: data as ThingCreated['data'] };
}

export const thingEventTypes: readonly EventTypeEntry[] = [
  ['thing.created', { schemaVersion: 1, payload: thingCreated, parseFast: parseThingPayload }],
  ['thing.updated', { schemaVersion: 1, payload: thingUpdated, parseFast: parseThingPayload }],
  ['thing.deleted', { schemaVersion: 1, payload: thingDeleted }],
];
