/** Record the test Worker keeps of one flush, for test/e2e/parquet-flush.e2e.test.ts to check. */
export interface FlushReport {
  flushedSeq: number;
  files: Array<{ key: string; recordCount: number; fileSizeBytes: number; firstSeq: number; lastSeq: number; occurredAtDay: number }>;
  /** The events read back from R2 equal those in SQLite and their hash chain verifies. */
  readBackMatches: boolean;
  /** parquet-wasm's memory after the flush, in bytes. */
  wasmMemoryBytes: number;
  error: string | null;
}
