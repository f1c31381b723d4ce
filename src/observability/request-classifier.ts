import type { EventEnvelope } from '../../events/envelope';

/** Class of a request for metrics and cost: reads are GET and HEAD, every other method writes. */
export interface RequestClass {
  kind: 'read' | 'write';
  /** `operation_type` label: create, update, delete, read, list, batch, stats, health, metrics or other. */
  operationType: string;
  /**
   * `entity_type` label when the route alone decides it; null when it comes from
   * the committed events or the response body.
   */
  entityType: string | null;
  /** False for operator traffic (`/admin/*`), which is not attributed to the tenant. */
  attributed: boolean;
}

const THING = /^\/things\/[^/]+$/;
const RELATIONSHIP = /^\/relationships\/[^/]+$/;

/** Classifies a request by method and path as the tenant object receives them. */
export function classifyRequest(method: string, path: string, typeQuery: string | undefined): RequestClass {
  const kind = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  const route = (operationType: string, entityType: string | null): RequestClass => ({ kind, operationType, entityType, attributed: true });

  if (path === '/admin' || path.startsWith('/admin/')) return { kind, operationType: 'admin', entityType: 'none', attributed: false };
  if (path === '/things') {
    if (kind === 'write') return route('create', null);
    return route('list', typeQuery === undefined || typeQuery === '' || typeQuery === '*' ? 'all' : typeQuery);
  }
  if (THING.test(path)) return route(thingOperation(method), null);
  if (path === '/relationships') return route(kind === 'write' ? 'create' : 'list', 'relationship');
  if (RELATIONSHIP.test(path)) return route(kind === 'write' ? 'delete' : 'read', 'relationship');
  if (path === '/batch') return route('batch', null);
  if (path === '/events') return route('list', 'none');
  if (path === '/stats' || path === '/health' || path === '/metrics') return route(path.slice(1), 'none');
  return route('other', 'none');
}

function thingOperation(method: string): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'DELETE':
      return 'delete';
    default:
      return 'update';
  }
}

/**
 * Entity type of a write from the events it committed. Only events the command
 * emitted directly count, not the cascade they caused (a deleted thing's
 * relationships). `thing.deleted` does not carry the type, so a delete yields
 * `unknown`. A batch that touched several types yields `mixed`. A write that
 * committed nothing (a failure) yields `unknown`; an idempotent replay commits
 * nothing either, so `entityTypeOfResponseBody` labels it.
 */
export function entityTypeOfCommitted(events: readonly EventEnvelope[]): string {
  return combineEntityTypes(events.filter((event) => event.causationId === null).map(entityTypeOfEvent));
}

/**
 * Entity type named by a JSON response body: a thing's `type`, or for a batch its
 * results combined as `entityTypeOfCommitted` combines events (a relationship
 * result is `relationship`, a deleted thing `unknown`). Labels single-thing reads
 * and the replays of stored write responses, which give the original write's
 * label this way without reading its events. `unknown` for a body without a type.
 */
export function entityTypeOfResponseBody(json: string | null): string {
  if (json === null) return 'unknown';
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return 'unknown';
  }
  if (typeof body !== 'object' || body === null) return 'unknown';

  const { results, type } = body as { results?: unknown; type?: unknown };
  if (Array.isArray(results)) return combineEntityTypes(results.map(entityTypeOfBatchResult));
  return typeof type === 'string' ? type : 'unknown';
}

function entityTypeOfBatchResult(result: unknown): string {
  const { collection, type } = (result ?? {}) as { collection?: unknown; type?: unknown };
  if (collection === 'relationships') return 'relationship';
  return typeof type === 'string' ? type : 'unknown';
}

function entityTypeOfEvent(event: EventEnvelope): string {
  if (event.type.startsWith('relationship.')) return 'relationship';
  const payload = event.payload as { type?: unknown };
  return typeof payload.type === 'string' ? payload.type : 'unknown';
}

/** The one type all of `types` share, `mixed` when they differ, `unknown` when there is none. */
function combineEntityTypes(types: readonly string[]): string {
  let found: string | null = null;
  for (const type of types) {
    if (found === null) found = type;
    else if (found !== type) return 'mixed';
  }
  return found ?? 'unknown';
}
