/**
 * One entry of a tenant's log. Field names are the wire names used by the API,
 * the JSONL export and the hash; the SQLite and Parquet columns use snake_case.
 */
export interface EventEnvelope {
  /** Tenant slug that owns the log. */
  tenant: string;
  /** Position in the tenant's log: gap-free, starting at 1. */
  seq: number;
  /** UUIDv7, unique across all tenants. */
  id: string;
  /** Past-tense event type from the catalogue, such as `thing.created`. */
  type: string;
  /** Version of the payload schema the event was written with. */
  schemaVersion: number;
  /** Time the event was appended, in ms since the Unix epoch. */
  occurredAt: number;
  /** Who caused it: an API key id, `admin`, `system`, or null when anonymous. */
  actor: string | null;
  /** Request id that produced the event (from `X-Request-ID` or generated). */
  correlationId: string;
  /** Id of the event that caused this one, when an event follows from another. */
  causationId: string | null;
  /** `Idempotency-Key` of the request that produced the event, if it had one. */
  idempotencyKey: string | null;
  /** Type-specific JSON payload, validated by the catalogue's schema. */
  payload: unknown;
  /** Hash of the previous event, or 64 zeros for seq 1. */
  prevHash: string;
  /** Hex SHA-256 over `prevHash` and the canonical JSON of the other fields. */
  hash: string;
}

/** The part of an event that a command decides; the store fills in the rest. */
export interface EventDraft {
  type: string;
  payload: unknown;
  /** Index into the same append's drafts of the event that caused this one. */
  causedByDraft?: number;
}

/** Request-level facts that every event of one append shares. */
export interface AppendContext {
  actor: string | null;
  correlationId: string;
  idempotencyKey: string | null;
  /** Time of the append in ms since the Unix epoch, from the store's clock. */
  now: number;
}
