import { z } from 'zod';

import type { EventTypeEntry } from './definition';
import { jsonValue } from './json-value';
import { entityId, entityType } from './things';

const relationshipCreated = z.object({
  id: entityId,
  type: entityType,
  from: entityId,
  to: entityId,
  data: jsonValue,
});
const relationshipDeleted = z.object({
  id: entityId,
  /** Id of the thing whose deletion removed this relationship, when that was the cause. */
  cascadeFrom: entityId.optional(),
});

export type RelationshipCreated = z.infer<typeof relationshipCreated>;
export type RelationshipDeleted = z.infer<typeof relationshipDeleted>;

export const relationshipEventTypes: readonly EventTypeEntry[] = [
  ['relationship.created', { schemaVersion: 1, payload: relationshipCreated }],
  ['relationship.deleted', { schemaVersion: 1, payload: relationshipDeleted }],
];
