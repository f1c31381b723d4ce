import { z } from 'zod';

import type { EventTypeEntry } from './definition';
import { jsonValue } from './json-value';

export const entityId = z.string().min(1).max(256);
export const entityType = z.string().min(1).max(128);

const thingCreated = z.object({ id: entityId, type: entityType, data: jsonValue });
/** Carries the thing's full data after the update, so replay never depends on merge rules. */
const thingUpdated = z.object({ id: entityId, type: entityType, data: jsonValue });
const thingDeleted = z.object({ id: entityId });

export type ThingCreated = z.infer<typeof thingCreated>;
export type ThingUpdated = z.infer<typeof thingUpdated>;
export type ThingDeleted = z.infer<typeof thingDeleted>;

export const thingEventTypes: readonly EventTypeEntry[] = [
  ['thing.created', { schemaVersion: 1, payload: thingCreated }],
  ['thing.updated', { schemaVersion: 1, payload: thingUpdated }],
  ['thing.deleted', { schemaVersion: 1, payload: thingDeleted }],
];
