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

/**
 * Applies `events` in order to every projection that handles them, as
 * `applyToProjections` on each would. A run of consecutive events of one type that
 * a single projection handles goes to its `applyMany`, if it has one. Runs handled
 * by several projections go event by event, so no projection reads another's
 * tables ahead of the event order.
 */
export function applyEventsToProjections(
  sql: SqlExecutor,
  events: readonly EventEnvelope[],
  counters: CounterDeltas,
  all: readonly Projection[] = projections,
): void {
  let first = 0;
  while (first < events.length) {
    const type = events[first]!.type;
    let end = first + 1;
    while (end < events.length && events[end]!.type === type) end++;

    const handling = all.filter((projection) => projection.handles.has(type));
    const only = handling.length === 1 ? handling[0]! : null;
    if (end - first > 1 && only?.applyMany) {
      only.applyMany(sql, events.slice(first, end), counters);
    } else {
      for (let index = first; index < end; index++) {
        for (const projection of handling) projection.apply(sql, events[index]!, counters);
      }
    }
    first = end;
  }
}

/** Drops every projection table and creates them empty; the caller replays the log afterwards. */
export function resetProjections(sql: SqlExecutor, all: readonly Projection[] = projections): void {
  for (const projection of all) {
    for (const table of projection.tables) sql.exec(`DROP TABLE IF EXISTS ${table}`);
  }
  createProjectionSchema(sql, all);
}
