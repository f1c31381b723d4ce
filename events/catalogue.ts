import { TenantlogError } from '../src/errors';
import type { EventTypeDefinition } from './types/definition';
import { eventTypeDefinitions } from './types';

export type { EventTypeDefinition } from './types/definition';

const catalogue = new Map<string, EventTypeDefinition<unknown>>();
for (const [type, definition] of eventTypeDefinitions) {
  if (catalogue.has(type)) throw new Error(`event type ${type} is defined twice`);
  catalogue.set(type, definition);
}

/** Looks up a type; an unknown type is a broken invariant, not a user error. */
export function eventTypeDefinition(type: string): EventTypeDefinition<unknown> {
  const definition = catalogue.get(type);
  if (!definition) throw new TenantlogError('INTERNAL', `event type ${type} is not in the catalogue`);
  return definition;
}

export function eventTypes(): string[] {
  return [...catalogue.keys()].sort();
}

/**
 * Validates a new payload against its type's current schema and returns the parsed
 * value with the schema version to store.
 */
export function validatePayload(type: string, payload: unknown): { schemaVersion: number; payload: unknown } {
  const definition = eventTypeDefinition(type);
  const fast = definition.parseFast?.(payload);
  if (fast !== undefined) return { schemaVersion: definition.schemaVersion, payload: fast };
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new TenantlogError('INTERNAL', `payload of ${type} does not match its schema: ${parsed.error.message}`);
  }
  return { schemaVersion: definition.schemaVersion, payload: parsed.data };
}

/** Lifts a stored payload of `schemaVersion` to the type's current version. */
export function upcastPayload(type: string, schemaVersion: number, payload: unknown): unknown {
  const definition = eventTypeDefinition(type);
  let current = payload;
  for (let version = schemaVersion; version < definition.schemaVersion; version++) {
    const upcast = definition.upcasters?.[version];
    if (!upcast) {
      throw new TenantlogError('INTERNAL', `no upcaster for ${type} from schema version ${version}`);
    }
    current = upcast(current);
  }
  return current;
}
