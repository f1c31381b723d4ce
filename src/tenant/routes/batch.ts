import type { Hono } from 'hono';

import { UuidV7Generator } from '../../../events/uuidv7';
import type { Thing } from '../../../projections/things';
import { isTenantlogError, TenantlogError } from '../../errors';
import { readJsonBody } from '../../http/body';
import { createRelationship, deleteRelationship } from '../commands/relationship-commands';
import { createThing, deleteThing, updateThing } from '../commands/thing-commands';
import { type ThingPresenceLookup, ThingPresenceSnapshot } from '../commands/thing-presence';
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
import { jsonResponse, runWrite } from '../api/write';
import type { StoredResponse } from '../idempotency';
import type { CommandTx } from '../tenant-store';

/** Most operations one `POST /batch` may carry. */
export const MAX_BATCH_OPERATIONS = 1000;

/** One parsed operation of `POST /batch`. */
export type BatchOperation =
  | { op: 'create'; collection: 'things'; thing: ThingInput & { type: string } }
  | { op: 'update'; collection: 'things'; id: string; mode: 'merge' | 'replace'; thing: ThingInput; expectedVersion: number | null }
  | { op: 'delete'; collection: 'things'; id: string; expectedVersion: number | null }
  | { op: 'create'; collection: 'relationships'; relationship: RelationshipInput }
  | { op: 'delete'; collection: 'relationships'; id: string };

const generatedIds = new UuidV7Generator();

/** Fields that steer an operation; the rest of it is the thing or relationship. */
const OPERATION_FIELDS = ['op', 'collection', 'ifMatch', 'version', 'mode'] as const;

/**
 * Parses one operation. Things are the default collection; `update` merges unless
 * `mode` is `replace`; `ifMatch` (or `version`) carries the expected version.
 */
function parseOperation(raw: unknown): BatchOperation {
  const operation = requireObject(raw, 'a batch operation');
  const collection = operation.collection ?? 'things';
  if (collection !== 'things' && collection !== 'relationships') {
    throw new TenantlogError('VALIDATION_FAILED', 'collection must be "things" or "relationships"');
  }
  const expectedVersion = parseExpectedVersion(operation);
  if (expectedVersion !== undefined && (operation.op === 'create' || collection === 'relationships')) {
    const operationKind = operation.op === 'create' ? 'a create' : 'a relationship operation';
    throw new TenantlogError('VALIDATION_FAILED', `ifMatch and version apply only to updates and deletes of things, not to ${operationKind}; remove them`);
  }
  const fields = withoutOperationFields(operation);

  switch (operation.op) {
    case 'create':
      if (collection === 'relationships') {
        return { op: 'create', collection, relationship: parseRelationshipInput(fields) };
      } else {
        const thing = parseThingInput(fields);
        if (thing.type === undefined) {
          throw new TenantlogError('VALIDATION_FAILED', 'type (or $type) is required to create a thing');
        }
        return { op: 'create', collection, thing: { ...thing, type: thing.type } };
      }
    case 'update': {
      if (collection === 'relationships') {
        throw new TenantlogError('VALIDATION_FAILED', 'relationships cannot be updated; delete and create instead');
      }
      const mode = operation.mode ?? 'merge';
      if (mode !== 'merge' && mode !== 'replace') {
        throw new TenantlogError('VALIDATION_FAILED', 'mode must be "merge" or "replace"');
      }
      const thing = parseThingInput(fields);
      if (mode === 'replace' && !thing.hasData) {
        throw new TenantlogError('VALIDATION_FAILED', 'mode "replace" replaces data, so the operation needs data or data fields');
      }
      return { op: 'update', collection, id: requireId(operation.id), mode, thing, expectedVersion: expectedVersion ?? null };
    }
    case 'delete':
      return collection === 'things'
        ? { op: 'delete', collection, id: requireId(operation.id), expectedVersion: expectedVersion ?? null }
        : { op: 'delete', collection, id: requireId(operation.id) };
    default:
      throw new TenantlogError('VALIDATION_FAILED', `op must be "create", "update" or "delete", not ${JSON.stringify(operation.op)}`);
  }
}

/**
 * Reads the expected version from `ifMatch` or its synonym `version`: an If-Match
 * value as a string (`"3"`, `W/"3"`, `3` or `*`) or a version as an integer.
 * Returns undefined when neither is given and null for `*`. Both at once must name
 * the same version.
 */
function parseExpectedVersion(operation: Record<string, unknown>): number | null | undefined {
  const fromIfMatch = parseVersionMember(operation, 'ifMatch');
  const fromVersion = parseVersionMember(operation, 'version');
  if (fromIfMatch !== undefined && fromVersion !== undefined && fromIfMatch !== fromVersion) {
    throw new TenantlogError(
      'VALIDATION_FAILED',
      `ifMatch ${JSON.stringify(operation.ifMatch)} and version ${JSON.stringify(operation.version)} differ; send one of them`,
    );
  }
  return fromIfMatch !== undefined ? fromIfMatch : fromVersion;
}

function parseVersionMember(operation: Record<string, unknown>, name: 'ifMatch' | 'version'): number | null | undefined {
  const value = operation[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseIfMatch(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new TenantlogError(
    'VALIDATION_FAILED',
    `${name} ${JSON.stringify(value)} is not a version; send a non-negative integer or an ETag string such as "3"`,
  );
}

function withoutOperationFields(operation: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...operation };
  for (const field of OPERATION_FIELDS) delete rest[field];
  return rest;
}

function requireId(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TenantlogError('VALIDATION_FAILED', 'id is required');
  }
  return parseEntityId(value, 'id');
}

/**
 * Runs one operation and returns its summary. Summaries leave out `data`: a batch
 * of small patches to one large thing would otherwise repeat that thing's data in
 * every result and build a response far larger than the request.
 */
function executeOperation(
  tx: CommandTx,
  operation: BatchOperation,
  createdId: string | null,
  thingPresence: ThingPresenceLookup | undefined,
): Record<string, unknown> {
  if (operation.collection === 'relationships') {
    if (operation.op === 'create') {
      const relationship = createRelationship(tx, { ...operation.relationship, id: createdId! });
      const { id, type, from, to, seq } = relationship;
      return { op: 'create', collection: 'relationships', id, type, from, to, seq };
    }
    deleteRelationship(tx, operation.id);
    return { op: 'delete', collection: 'relationships', id: operation.id };
  }

  switch (operation.op) {
    case 'create': {
      const { thing } = operation;
      const created = createThing(tx, { id: createdId!, type: thing.type, data: thing.data }, thingPresence);
      return { op: 'create', collection: 'things', ...thingSummary(created) };
    }
    case 'update': {
      const updated = updateThing(tx, {
        id: operation.id,
        mode: operation.mode,
        type: operation.thing.type,
        data: operation.thing.hasData ? operation.thing.data : undefined,
        expectedVersion: operation.expectedVersion,
      });
      return { op: 'update', collection: 'things', ...thingSummary(updated) };
    }
    case 'delete':
      deleteThing(tx, { id: operation.id, expectedVersion: operation.expectedVersion });
      return { op: 'delete', collection: 'things', id: operation.id };
  }
}

function thingSummary(thing: Thing): Record<string, unknown> {
  return { id: thing.id, type: thing.type, version: thing.version, seq: thing.seq };
}

/** Runs `step` for operation `index`, prefixing any error with the index so the client knows which one failed. */
function atOperation<T>(index: number, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!isTenantlogError(error)) throw error;
    throw new TenantlogError(error.code, `operation ${index} failed, so no operation was applied: ${error.message}`, {
      details: { ...error.details, operationIndex: index },
      headers: error.headers,
      cause: error,
    });
  }
}

export function registerBatchRoutes(app: Hono<TenantAppEnv>): void {
  app.post('/batch', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'POST /batch');
    const unknownMembers = Object.keys(body).filter((member) => member !== 'operations');
    if (unknownMembers.length > 0) {
      throw new TenantlogError(
        'VALIDATION_FAILED',
        `POST /batch accepts only the member "operations", not ${unknownMembers.map((member) => JSON.stringify(member)).join(', ')}`,
      );
    }
    const raw = body.operations;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new TenantlogError('VALIDATION_FAILED', 'POST /batch needs a non-empty "operations" array');
    }
    if (raw.length > MAX_BATCH_OPERATIONS) {
      throw new TenantlogError('BATCH_TOO_LARGE', `batch of ${raw.length} operations exceeds the limit of ${MAX_BATCH_OPERATIONS}; split it`, {
        details: { limit: MAX_BATCH_OPERATIONS },
      });
    }
    const operations = raw.map((operation, index) => atOperation(index, () => parseOperation(operation)));

    // All operations run in one transaction: the first failure rolls back every event.
    return runWrite(c, body, (tx) => runBatch(tx, operations));
  });
}

/** Runs parsed batch operations in order inside one write and returns the batch response. */
export function runBatch(tx: CommandTx, operations: readonly BatchOperation[]): StoredResponse {
  // Ids of creates, generated in operation order for those without one, so the
  // presence of every created thing's id can be read in one statement up front.
  const createdIds = operations.map((operation) => {
    if (operation.op !== 'create') return null;
    const given = operation.collection === 'things' ? operation.thing.id : operation.relationship.id;
    return given ?? generatedIds.next(tx.now);
  });
  const thingIds = createdIds.filter((id, index): id is string => id !== null && operations[index]!.collection === 'things');
  const thingPresence = thingIds.length > 1 ? new ThingPresenceSnapshot(tx, thingIds).lookup : undefined;

  const results = operations.map((operation, index) =>
    atOperation(index, () => executeOperation(tx, operation, createdIds[index] ?? null, thingPresence)),
  );
  const first = tx.appended[0];
  const last = tx.appended[tx.appended.length - 1];
  return jsonResponse(200, {
    results,
    count: results.length,
    events: tx.appended.length,
    firstSeq: first?.seq ?? null,
    lastSeq: last?.seq ?? null,
  });
}
