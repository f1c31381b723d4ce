/**
 * Public API of the Iceberg library for the events table. The CatalogDO creates the
 * table once with `createEventTable`, then for each flush calls `planCommit`, writes
 * `plan.files`, swaps its pointer to `plan.metadataPath` and keeps `plan.nextState`.
 * Readers start from `loadTableState` or `listLiveDataFiles`.
 */
export { createEventTable, planCommit } from './commit';
export type { CommitOptions, CommitPlan, CreateEventTableOptions, CreatedEventTable, EventTableState, TableFile } from './commit';
export type { ColumnStatistics, EventColumnStats, EventDataFileInput } from './event-data-file';
export { DEFAULT_STRING_BOUND_LENGTH } from './event-data-file';
export { IcebergError } from './iceberg-error';
export { dayFromMicros, dayFromMillis, EVENT_PARTITION_SPEC, type EventPartition } from './partition';
export { EVENT_COLUMNS, EVENT_SCHEMA, type EventColumnName } from './table-schema';
export { EVENT_SORT_ORDER } from './sort-order';
export { parseTableMetadata, serializeTableMetadata, currentSnapshot, type TableMetadata } from './metadata';
export { objectKey, normalizeTableLocation, metadataFilePath, versionHintPath } from './paths';
export {
  decodeBounds,
  eventFileSeqRange,
  listLiveDataFiles,
  loadTableState,
  readCurrentManifests,
  type LiveDataFile,
  type ReadFile,
} from './table-reader';
export type { DataFile } from './data-file';
export type { ManifestFile } from './manifest-list';
export type { Snapshot } from './snapshot';
