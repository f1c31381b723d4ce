import type { EventEnvelope } from '../events/envelope';
import { CounterDeltas } from './counters';
import type { Projection, SqlExecutor } from './projection';
import { projections } from './registry';

/** Creates the tables of every projection that does not have them yet. */
export function createProjectionSchema(sql: SqlExecutor, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    for (const statement of projection.schema) sql.exec(statement);
  }
}

/**
 * Applies one event to every projection that handles its type. Must run inside
 * the append's transaction. Counter changes are added to `counters` for the caller
 * to flush once for many events; without `counters` they are written at once.
 */
export function applyToProjections(
  sql: SqlExecutor,
  event: EventEnvelope,
  counters?: CounterDeltas,
  all: readonly Projection[] = projections,
): void {
  const deltas = counters ?? new CounterDeltas();
  for (const projection of all) {
    if (projection.handles.has(event.type)) projection.apply(sql, event, deltas);
  }
  if (!counters) deltas.flush(sql);
}

/** Drops every projection table and creates them empty; the caller replays the log afterwards. */
export function resetProjections(sql: SqlExecutor, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    for (const table of projection.tables) sql.exec(`DROP TABLE IF EXISTS ${table}`);
  }
  createProjectionSchema(sql, all);
}
