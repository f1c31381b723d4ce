import { readRelationship, type Relationship } from '../../../projections/relationships';
import { readThing } from '../../../projections/things';
import { TenantlogError } from '../../errors';
import type { CommandTx } from '../tenant-store';

export interface CreateRelationship {
  id: string;
  type: string;
  from: string;
  to: string;
  data: unknown;
}

/** Appends `relationship.created`; both ends must be existing things of this tenant. */
export function createRelationship(tx: CommandTx, command: CreateRelationship): Relationship {
  if (readRelationship(tx.sql, command.id)) {
    throw new TenantlogError('ALREADY_EXISTS', `relationship ${JSON.stringify(command.id)} already exists`, {
      details: { id: command.id },
    });
  }
  for (const [end, thingId] of [
    ['from', command.from],
    ['to', command.to],
  ] as const) {
    if (!readThing(tx.sql, thingId)) {
      throw new TenantlogError(
        'REFERENCE_NOT_FOUND',
        `relationship ${end} refers to thing ${JSON.stringify(thingId)}, which does not exist; create the thing first`,
        { details: { field: end, id: thingId } },
      );
    }
  }
  tx.emit([{ type: 'relationship.created', payload: { ...command } }]);
  return readRelationship(tx.sql, command.id)!;
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
