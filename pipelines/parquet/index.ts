/**
 * Parquet data files of the event table. Initialise parquet-wasm first by
 * importing `./parquet-wasm-workerd` (workerd) or `./parquet-wasm-node` (Node).
 */
export { type ColumnBound, type ColumnStatistics, computeColumnStatistics } from './column-statistics';
export {
  DEFAULT_DATA_FILE_CAPS,
  type DataFileCaps,
  type DataFilePlan,
  dataFileKey,
  formatUtcDay,
  planDataFiles,
  type PlannedRow,
  resolveDataFileCaps,
  utcDay,
} from './data-file-plan';
export { EVENT_ARROW_SCHEMA, EVENT_COLUMNS, type EventColumn, type EventColumnName, type IcebergPrimitiveType } from './event-columns';
export { type EventRow, toEventRow } from './event-rows';
export { type ParquetFooter, readParquetFooter, readParquetFooterFromBlob } from './footer';
export { parquetWasmMemoryBytes } from './parquet-wasm';
export { readEventFile, readEventRowGroups, type ReadEventsOptions, selectRowGroupsBySeq, type SeqRange } from './reader';
export { type WriteEventDataFilesOptions, writeEventDataFiles, type WrittenDataFile } from './writer';
