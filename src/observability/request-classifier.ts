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
 * committed nothing (a failure or an idempotent replay) yields `unknown`.
 */
export function entityTypeOfCommitted(events: readonly EventEnvelope[]): string {
  let found: string | null = null;
  for (const event of events) {
    if (event.causationId !== null) continue;
    const type = entityTypeOfEvent(event);
    if (found === null) found = type;
    else if (found !== type) return 'mixed';
  }
  return found ?? 'unknown';
}

function entityTypeOfEvent(event: EventEnvelope): string {
  if (event.type.startsWith('relationship.')) return 'relationship';
  const payload = event.payload as { type?: unknown };
  return typeof payload.type === 'string' ? payload.type : 'unknown';
}
