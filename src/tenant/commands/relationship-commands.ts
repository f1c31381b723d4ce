import { readRelationship, reduceRelationship, type Relationship, relationshipExists } from '../../../projections/relationships';
import { thingExists } from '../../../projections/things';
import { TenantlogError } from '../../errors';
import type { CommandTx } from '../tenant-store';

export interface CreateRelationship {
  id: string;
  type: string;
  from: string;
  to: string;
  data: unknown;
}

/**
 * Appends `relationship.created`; both ends must be existing things of this tenant.
 * Returns the relationship as the projection's reducer builds it from the event.
 */
export function createRelationship(tx: CommandTx, command: CreateRelationship): Relationship {
  if (relationshipExists(tx.sql, command.id)) {
    throw new TenantlogError('ALREADY_EXISTS', `relationship ${JSON.stringify(command.id)} already exists`, {
      details: { id: command.id },
    });
  }
  for (const [end, thingId] of [
    ['from', command.from],
    ['to', command.to],
  ] as const) {
    if (!thingExists(tx.sql, thingId)) {
      throw new TenantlogError(
        'REFERENCE_NOT_FOUND',
        `relationship ${end} refers to thing ${JSON.stringify(thingId)}, which does not exist; create the thing first`,
        { details: { field: end, id: thingId } },
      );
    }
  }
  const [created] = tx.emit([{ type: 'relationship.created', payload: { ...command } }]);
  return reduceRelationship(null, created!)!;
}

/** Appends `relationship.deleted`. */
export function deleteRelationship(tx: CommandTx, id: string): Relationship {
  const current = readRelationship(tx.sql, id);
  if (!current) {
    throw new TenantlogError('NOT_FOUND', `relationship ${JSON.stringify(id)} not found`, { details: { id } });
  }
  tx.emit([{ type: 'relationship.deleted', payload: { id } }]);
  return current;
}
