import type { SqlExecutor } from '../../projections/projection';

/** Label value of every entity type beyond the cardinality cap. */
export const OTHER_ENTITY_TYPE = 'other';

/**
 * Values the request classifier uses where no single entity type applies. They
 * pass through without taking one of the places, so an entity type that a tenant
 * happens to name `unknown` shares that value.
 */
export const RESERVED_ENTITY_TYPES: ReadonlySet<string> = new Set([OTHER_ENTITY_TYPE, 'unknown', 'none', 'mixed', 'all', 'relationship']);

/** Default of `maxEntityTypeCardinality`: entity types that get their own label value per tenant. */
export const DEFAULT_MAX_ENTITY_TYPES = 50;

const schema = `CREATE TABLE IF NOT EXISTS metric_entity_types (entity_type TEXT PRIMARY KEY, admitted_at INTEGER NOT NULL) WITHOUT ROWID`;

/**
 * Maps entity types to `entity_type` label values with bounded cardinality: the
 * first `max` distinct types keep their own value, later ones become `other`.
 * Admissions are stored in SQLite, so a type keeps its label across restarts and
 * a restart cannot hand the free places to different types.
 */
export class EntityTypeLabels {
  private readonly admitted: Set<string>;

  constructor(
    private readonly sql: SqlExecutor,
    readonly max: number = DEFAULT_MAX_ENTITY_TYPES,
  ) {
    sql.exec(schema);
    const rows = sql.exec<{ entity_type: string }>(`SELECT entity_type FROM metric_entity_types ORDER BY admitted_at, entity_type`).toArray();
    this.admitted = new Set(rows.map((row) => row.entity_type));
  }

  /** Label value for `entityType`; admits it while places are free. O(1) except for the one insert per admission. */
  label(entityType: string): string {
    if (this.admitted.has(entityType) || RESERVED_ENTITY_TYPES.has(entityType)) return entityType;
    if (this.admitted.size >= this.max) return OTHER_ENTITY_TYPE;
    this.admitted.add(entityType);
    this.sql.exec(`INSERT OR IGNORE INTO metric_entity_types (entity_type, admitted_at) VALUES (?, ?)`, entityType, this.admitted.size);
    return entityType;
  }

  /**
   * Label value for `entityType` without admitting it: its own value when already
   * admitted or reserved, `other` otherwise. Reads use it, because a read can name
   * any type (`GET /things?type=...`) and must not take the places of written ones.
   */
  existingLabel(entityType: string): string {
    return this.admitted.has(entityType) || RESERVED_ENTITY_TYPES.has(entityType) ? entityType : OTHER_ENTITY_TYPE;
  }

  /** Entity types that have their own label value, in admission order. */
  list(): string[] {
    return [...this.admitted];
  }
}

/** Reads `METRICS_MAX_ENTITY_TYPES`; throws on anything but a positive integer. */
export function maxEntityTypes(configured: string | undefined): number {
  if (configured === undefined || configured === '') return DEFAULT_MAX_ENTITY_TYPES;
  const value = Number(configured);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`METRICS_MAX_ENTITY_TYPES ${JSON.stringify(configured)} is invalid: use a positive integer`);
  }
  return value;
}
