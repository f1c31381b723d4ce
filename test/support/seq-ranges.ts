import { eventFileSeqRange, type LiveDataFile } from '../../pipelines/iceberg';

/**
 * Returns the seq after the last one that `tenant`'s live data files cover. Throws
 * when their seq ranges do not cover 1..last exactly once (a gap or an overlap).
 */
export function coveredSeqEnd(live: readonly LiveDataFile[], tenant: string): bigint {
  const ranges = live
    .filter((file) => file.dataFile.partition.tenant === tenant)
    .map((file) => ({ path: file.dataFile.file_path, ...eventFileSeqRange(file.dataFile) }))
    .sort((a, b) => Number(a.first - b.first));
  let expected = 1n;
  for (const range of ranges) {
    if (range.first !== expected) throw new Error(`${range.path} starts at seq ${range.first}, expected ${expected}`);
    expected = range.last + 1n;
  }
  return expected;
}
