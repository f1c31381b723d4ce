import { readThing, reduceThing, type Thing, thingPresence } from '../../../projections/things';
import { relationshipIdsTouching } from '../../../projections/relationships';
import { TenantlogError } from '../../errors';
import type { CommandTx } from '../tenant-store';
import { applyMergePatch } from './merge-patch';
import type { ThingPresenceLookup } from './thing-presence';

export interface CreateThing {
  id: string;
  type: string;
  data: unknown;
}

export interface UpdateThing {
  id: string;
  /** `merge` applies `data` as a JSON Merge Patch; `replace` stores it as is. */
  mode: 'merge' | 'replace';
  /** New type; the current type stays when absent. */
  type?: string | undefined;
  /** New data or merge patch; the current data stays when absent (a PATCH of the type alone). */
  data?: unknown;
  /** Version the client last saw (`If-Match`); null skips the check. */
  expectedVersion: number | null;
}

export interface DeleteThing {
  id: string;
  expectedVersion: number | null;
}

/**
 * Appends `thing.created`; rejects an id that is already taken. Returns the thing
 * as the projection's reducer builds it from the event, so it need not be read back.
 * `presence` looks the id up; a batch passes a `ThingPresenceSnapshot` to save a query per create.
 */
export function createThing(
  tx: CommandTx,
  command: CreateThing,
  presence: ThingPresenceLookup = (id) => thingPresence(tx.sql, id),
): Thing {
  const { exists, deletedVersion } = presence(command.id);
  if (exists) {
    throw new TenantlogError('ALREADY_EXISTS', `thing ${JSON.stringify(command.id)} already exists`, {
      details: { id: command.id },
    });
  }
  const [created] = tx.emit([{ type: 'thing.created', payload: { id: command.id, type: command.type, data: command.data } }]);
  return reduceThing(null, created!, deletedVersion)!;
}

/** Appends `thing.updated` with the thing's full new data. */
export function updateThing(tx: CommandTx, command: UpdateThing): Thing {
  const current = requireThing(tx, command.id, command.expectedVersion);
  let data = current.data;
  if (command.data !== undefined) {
    data = command.mode === 'merge' ? applyMergePatch(current.data, command.data) : command.data;
  }
  const [updated] = tx.emit([{ type: 'thing.updated', payload: { id: command.id, type: command.type ?? current.type, data } }]);
  return reduceThing(current, updated!)!;
}

/**
 * Appends `thing.deleted`, then one `relationship.deleted` for every relationship
 * that starts or ends at the thing, each caused by the thing's deletion.
 */
export function deleteThing(tx: CommandTx, command: DeleteThing): { thing: Thing; relationshipsDeleted: number } {
  const current = requireThing(tx, command.id, command.expectedVersion);
  const [deleted] = tx.emit([{ type: 'thing.deleted', payload: { id: command.id } }]);
  const relationshipIds = relationshipIdsTouching(tx.sql, command.id);
  if (relationshipIds.length > 0) {
    tx.emit(
      relationshipIds.map((id) => ({ type: 'relationship.deleted', payload: { id, cascadeFrom: command.id } })),
      deleted!.id,
    );
  }
  return { thing: current, relationshipsDeleted: relationshipIds.length };
}

function requireThing(tx: CommandTx, id: string, expectedVersion: number | null): Thing {
  const current = readThing(tx.sql, id);
  if (!current) {
    throw new TenantlogError('NOT_FOUND', `thing ${JSON.stringify(id)} not found`, { details: { id } });
  }
  if (expectedVersion !== null && expectedVersion !== current.version) {
    throw new TenantlogError(
      'VERSION_CONFLICT',
      `thing ${JSON.stringify(id)} is at version ${current.version}, not ${expectedVersion}; read it again and retry`,
      { details: { id, expectedVersion, currentVersion: current.version } },
    );
  }
  return current;
}
