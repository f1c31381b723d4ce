import { createHash } from 'node:crypto';

import { canonicalJson } from '../events/canonical';
import type { Projection, SqlExecutor } from './projection';
import { projections } from './registry';

export interface ProjectionChecksum {
  /** Hex SHA-256 over the per-projection checksums in registry order. */
  checksum: string;
  projections: Record<string, { checksum: string; rows: number }>;
}

/**
 * Hashes every projection row in a fixed order. Two stores whose projections hold
 * the same rows get the same checksum, which is how a rebuild or a migration
 * target proves it matches the source.
 */
export function projectionChecksum(sql: SqlExecutor, all: readonly Projection[] = projections): ProjectionChecksum {
  const total = createHash('sha256');
  const perProjection: ProjectionChecksum['projections'] = {};
  for (const projection of all) {
    const hash = createHash('sha256');
    let rows = 0;
    for (const row of projection.checksumRows(sql)) {
      hash.update(canonicalJson(row)).update('\n');
      rows += 1;
    }
    const checksum = hash.digest('hex');
    perProjection[projection.name] = { checksum, rows };
    total.update(`${projection.name}:${checksum}\n`);
  }
  return { checksum: total.digest('hex'), projections: perProjection };
}
