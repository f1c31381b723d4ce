import { tableFromIPC } from 'apache-arrow';

import type { EventEnvelope } from '../../events/envelope';
import { decodeEventTable } from './arrow-decoder';
import { decodeInt64Statistic, type ParquetFooter, readParquetFooter, readParquetFooterFromBlob } from './footer';
import { parquetWasmBindings } from './parquet-wasm';

/** Inclusive range of seqs to read. */
export interface SeqRange {
  from: number;
  to: number;
}

export interface ReadEventsOptions {
  /** Restricts the result to this range. Row groups whose seq statistics lie outside it are not decoded. */
  seqRange?: SeqRange;
}

/**
 * Reads a Parquet data file held in memory back into envelopes, in file order.
 * parquet-wasm copies the whole file into its memory and decodes it at once (only
 * the selected row groups with `seqRange`), so for large files prefer
 * `readEventRowGroups`. Reading one row group of a 27 MB file this way grew
 * parquet-wasm's memory to 40 MiB, while streaming all of it took 13 MiB.
 */
export function readEventFile(file: Uint8Array, options: ReadEventsOptions = {}): EventEnvelope[] {
  const parquet = parquetWasmBindings();
  let rowGroups: number[] | undefined;
  if (options.seqRange) {
    rowGroups = selectRowGroupsBySeq(readParquetFooter(file), options.seqRange);
    if (rowGroups.length === 0) return [];
  }
  const table = tableFromIPC(parquet.readParquet(file, rowGroups ? { rowGroups } : undefined).intoIPCStream());
  return filterBySeq(decodeEventTable(table), options.seqRange);
}

/**
 * Reads a Parquet data file one row group at a time, yielding each row group's
 * envelopes. parquet-wasm reads only the byte ranges of the row group in hand, so
 * memory stays near one row group however large the file is. With `seqRange`,
 * row groups are chosen by the min and max statistics of `seq` in the footer.
 */
export async function* readEventRowGroups(file: Blob | Uint8Array, options: ReadEventsOptions = {}): AsyncGenerator<EventEnvelope[]> {
  const parquet = parquetWasmBindings();
  const blob = file instanceof Blob ? file : new Blob([file]);
  const footer = await readParquetFooterFromBlob(blob);
  const rowGroups = options.seqRange ? selectRowGroupsBySeq(footer, options.seqRange) : footer.rowGroups.map((_, index) => index);
  if (rowGroups.length === 0) return;

  const reader = await parquet.ParquetFile.fromFile(blob);
  try {
    for (const rowGroup of rowGroups) {
      const table = tableFromIPC((await reader.read({ rowGroups: [rowGroup] })).intoIPCStream());
      yield filterBySeq(decodeEventTable(table), options.seqRange);
    }
  } finally {
    reader.free();
  }
}

/**
 * Indexes of the row groups whose `seq` statistics overlap `range`. A row group
 * without statistics is kept, since it cannot be ruled out.
 */
export function selectRowGroupsBySeq(footer: ParquetFooter, range: SeqRange): number[] {
  const seqColumn = footer.columns.findIndex((column) => column.path.join('.') === 'seq');
  if (seqColumn < 0) throw new Error('Parquet data file has no seq column');
  const from = BigInt(range.from);
  const to = BigInt(range.to);

  const selected: number[] = [];
  footer.rowGroups.forEach((group, index) => {
    const chunk = group.columns[seqColumn];
    if (!chunk?.minValue || !chunk.maxValue) {
      selected.push(index);
      return;
    }
    if (decodeInt64Statistic(chunk.maxValue) >= from && decodeInt64Statistic(chunk.minValue) <= to) selected.push(index);
  });
  return selected;
}

function filterBySeq(events: EventEnvelope[], range: SeqRange | undefined): EventEnvelope[] {
  if (!range) return events;
  return events.filter((event) => event.seq >= range.from && event.seq <= range.to);
}
