import type { Hono } from 'hono';

import { UuidV7Generator } from '../../../events/uuidv7';
import { isTenantlogError, TenantlogError } from '../../errors';
import { readJsonBody } from '../../http/body';
import { createRelationship, deleteRelationship } from '../commands/relationship-commands';
import { createThing, deleteThing, updateThing } from '../commands/thing-commands';
import type { TenantAppEnv } from '../api/context';
import {
  parseEntityId,
  parseIfMatch,
  parseRelationshipInput,
  parseThingInput,
  type RelationshipInput,
  requireObject,
  type ThingInput,
} from '../api/inputs';
import { relationshipView, thingView } from '../api/views';
import { jsonResponse, runWrite } from '../api/write';
import type { CommandTx } from '../tenant-store';

/** Most operations one `POST /batch` may carry. */
export const MAX_BATCH_OPERATIONS = 1000;

type BatchOperation =
  | { op: 'create'; collection: 'things'; thing: ThingInput & { type: string } }
  | { op: 'update'; collection: 'things'; id: string; mode: 'merge' | 'replace'; thing: ThingInput; expectedVersion: number | null }
  | { op: 'delete'; collection: 'things'; id: string; expectedVersion: number | null }
  | { op: 'create'; collection: 'relationships'; relationship: RelationshipInput }
  | { op: 'delete'; collection: 'relationships'; id: string };

const generatedIds = new UuidV7Generator();

/**
 * Parses one operation. Things are the default collection; `update` merges unless
 * `mode` is `replace`; `ifMatch` (or `version`) carries the expected version.
 */
function parseOperation(raw: unknown, index: number): BatchOperation {
  const operation = requireObject(raw, `operation ${index}`);
  const collection = operation.collection ?? 'things';
  if (collection !== 'things' && collection !== 'relationships') {
    throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: collection must be "things" or "relationships"`);
  }
  const expected = operation.ifMatch ?? operation.version;
  const expectedVersion = expected === undefined ? null : parseIfMatch(String(expected));

  switch (operation.op) {
    case 'create':
      if (collection === 'relationships') {
        return { op: 'create', collection, relationship: parseRelationshipInput(withoutBatchFields(operation)) };
      } else {
        const thing = parseThingInput(operation);
        if (thing.type === undefined) {
          throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: type (or $type) is required to create a thing`);
        }
        return { op: 'create', collection, thing: { ...thing, type: thing.type } };
      }
    case 'update': {
      if (collection === 'relationships') {
        throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: relationships cannot be updated; delete and create instead`);
      }
      const mode = operation.mode ?? 'merge';
      if (mode !== 'merge' && mode !== 'replace') {
        throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: mode must be "merge" or "replace"`);
      }
      return { op: 'update', collection, id: requireId(operation.id, index), mode, thing: parseThingInput(operation), expectedVersion };
    }
    case 'delete':
      return collection === 'things'
        ? { op: 'delete', collection, id: requireId(operation.id, index), expectedVersion }
        : { op: 'delete', collection, id: requireId(operation.id, index) };
    default:
      throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: op must be "create", "update" or "delete", not ${JSON.stringify(operation.op)}`);
  }
}

function withoutBatchFields(operation: Record<string, unknown>): Record<string, unknown> {
  const { op: _op, collection: _collection, ...rest } = operation;
  return rest;
}

function requireId(value: unknown, index: number): string {
  if (typeof value !== 'string') {
    throw new TenantlogError('VALIDATION_FAILED', `operation ${index}: id is required`);
  }
  return parseEntityId(value, `operation ${index} id`);
}

function executeOperation(tx: CommandTx, operation: BatchOperation): Record<string, unknown> {
  if (operation.collection === 'relationships') {
    if (operation.op === 'create') {
      const relationship = createRelationship(tx, {
        ...operation.relationship,
        id: operation.relationship.id ?? generatedIds.next(tx.now),
      });
      return { op: 'create', collection: 'relationships', relationship: relationshipView(relationship) };
    }
    deleteRelationship(tx, operation.id);
    return { op: 'delete', collection: 'relationships', id: operation.id };
  }

  switch (operation.op) {
    case 'create': {
      const { thing } = operation;
      const created = createThing(tx, { id: thing.id ?? generatedIds.next(tx.now), type: thing.type, data: thing.data });
      return { op: 'create', collection: 'things', thing: thingView(created) };
    }
    case 'update': {
      const updated = updateThing(tx, {
        id: operation.id,
        mode: operation.mode,
        type: operation.thing.type,
        data: operation.mode === 'merge' && !operation.thing.hasData ? {} : operation.thing.data,
        expectedVersion: operation.expectedVersion,
      });
      return { op: 'update', collection: 'things', thing: thingView(updated) };
    }
    case 'delete':
      deleteThing(tx, { id: operation.id, expectedVersion: operation.expectedVersion });
      return { op: 'delete', collection: 'things', id: operation.id };
  }
}

export function registerBatchRoutes(app: Hono<TenantAppEnv>): void {
  app.post('/batch', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'POST /batch');
    const raw = body.operations;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new TenantlogError('VALIDATION_FAILED', 'POST /batch needs a non-empty "operations" array');
    }
    if (raw.length > MAX_BATCH_OPERATIONS) {
      throw new TenantlogError('BATCH_TOO_LARGE', `batch of ${raw.length} operations exceeds the limit of ${MAX_BATCH_OPERATIONS}; split it`, {
        details: { limit: MAX_BATCH_OPERATIONS },
      });
    }
    const operations = raw.map((operation, index) => parseOperation(operation, index));

    // All operations run in one transaction: the first failure rolls back every event.
    return runWrite(c, body, (tx) => {
      const results = operations.map((operation, index) => {
        try {
          return executeOperation(tx, operation);
        } catch (error) {
          if (!isTenantlogError(error)) throw error;
          throw new TenantlogError(error.code, `operation ${index} failed, so no operation was applied: ${error.message}`, {
            details: { ...error.details, operationIndex: index },
            cause: error,
          });
        }
      });
      const first = tx.appended[0];
      const last = tx.appended[tx.appended.length - 1];
      return jsonResponse(200, {
        results,
        count: results.length,
        events: tx.appended.length,
        firstSeq: first?.seq ?? null,
        lastSeq: last?.seq ?? null,
      });
    });
  });
}
