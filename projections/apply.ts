import type { EventEnvelope } from '../events/envelope';
import type { Projection, SqlExecutor } from './projection';
import { projections } from './registry';

/** Creates the tables of every projection that does not have them yet. */
export function createProjectionSchema(sql: SqlExecutor, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    for (const statement of projection.schema) sql.exec(statement);
  }
}

/** Applies one event to every projection that handles its type. Must run inside the append's transaction. */
export function applyToProjections(sql: SqlExecutor, event: EventEnvelope, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    if (projection.handles.has(event.type)) projection.apply(sql, event);
  }
}

/** Drops every projection table and creates them empty; the caller replays the log afterwards. */
export function resetProjections(sql: SqlExecutor, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    for (const table of projection.tables) sql.exec(`DROP TABLE IF EXISTS ${table}`);
  }
  createProjectionSchema(sql, all);
}
