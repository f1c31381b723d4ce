import { countersSchema } from './counters';
import { monitoringProjection } from './monitoring';
import type { Projection } from './projection';
import { rateLimitsProjection } from './rate-limits';
import { relationshipsProjection } from './relationships';
import { tenantConfigProjection } from './tenant-config';
import { thingsProjection } from './things';

/** Owns the shared `projection_counters` table; the projections above write to it. */
const countersProjection: Projection = {
  name: 'counters',
  tables: ['projection_counters'],
  schema: countersSchema,
  handles: new Set(),
  apply() {},
  *checksumRows(sql) {
    yield* sql.exec(`SELECT name, value FROM projection_counters WHERE value != 0 ORDER BY name`);
  },
};

/**
 * Every projection of a tenant, in the order they are applied and checksummed.
 * A new read model is added here and nowhere else.
 */
export const projections: readonly Projection[] = [
  countersProjection,
  thingsProjection,
  relationshipsProjection,
  rateLimitsProjection,
  tenantConfigProjection,
  monitoringProjection,
];

