// Requests of the append bench Worker, shared with the Node driver, so this file
// stays free of Workers types.

/** Max operations of one request, so a typo cannot stall the object for minutes. */
export const MAX_BENCH_OPERATIONS = 100_000;

/** Operations per write of the batched path that the step table explains, as one `POST /batch` of 100 creates. */
export const BATCH_SIZE = 100;

/** Most operations of one batched write, as `POST /batch` allows. */
export const MAX_BATCH_SIZE = 1000;

/** Operations per write of the batched paths measured, from small batches to the largest `POST /batch` allows. */
export const BATCH_SIZES = [10, 100, 1000] as const;

/**
 * Steps of one append that `POST /bench/stage/<name>` runs alone, and three
 * comparisons: the id check through the request meter, and the row writes of one
 * append with and without the savepoint around them.
 */
export const appendStageNames = [
  'transaction',
  'exists',
  'existsBatch',
  'meteredExists',
  'validate',
  'id',
  'hash',
  'hashBatch',
  'insert',
  'insertBatch',
  'head',
  'project',
  'projectBatch',
  'counters',
  'quota',
  'respond',
  'respondBatch',
  'rowWrites',
  'rowWritesInTransaction',
] as const;

export type AppendStage = (typeof appendStageNames)[number];

export function isAppendStage(name: string): name is AppendStage {
  return (appendStageNames as readonly string[]).includes(name);
}
