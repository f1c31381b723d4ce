import type { Relationship } from '../../../projections/relationships';
import type { Thing } from '../../../projections/things';

/** A thing as the API returns it; times as ISO 8601 strings. */
export function thingView(thing: Thing) {
  return {
    id: thing.id,
    type: thing.type,
    data: thing.data,
    version: thing.version,
    createdAt: new Date(thing.createdAt).toISOString(),
    updatedAt: new Date(thing.updatedAt).toISOString(),
    seq: thing.seq,
  };
}

export function relationshipView(relationship: Relationship) {
  return {
    id: relationship.id,
    type: relationship.type,
    from: relationship.from,
    to: relationship.to,
    data: relationship.data,
    createdAt: new Date(relationship.createdAt).toISOString(),
    seq: relationship.seq,
  };
}

/** Strong ETag of a thing version; `If-Match` accepts it back. */
export function thingEtag(version: number): string {
  return `"${version}"`;
}
