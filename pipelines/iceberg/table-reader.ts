/**
 * Reading a table: from a metadata file to the live data files of its current snapshot,
 * with partition values, sequence numbers and decoded column bounds. Works on tables
 * written by this library and by other engines (format versions 1 and 2). Storage
 * access goes through `readFile(path)`, which gets absolute paths as the metadata
 * spells them (`s3://`, `s3a://`, ...).
 */
import { deserializeSingleValue, type SingleValue } from './bounds';
import type { EventTableState } from './commit';
import type { DataFile } from './data-file';
import { IcebergError } from './iceberg-error';
import { inheritManifestValues, ManifestEntryStatus, readManifest } from './manifest';
import { MANIFEST_CONTENT_DATA, readManifestList, type ManifestFile } from './manifest-list';
import { currentSnapshot, parseTableMetadata, type TableMetadata } from './metadata';
import { eventColumn, findField, type IcebergSchema } from './table-schema';

export type ReadFile = (path: string) => Promise<Uint8Array>;

/** A data file that is part of the current snapshot, with the values it inherits resolved. */
export interface LiveDataFile {
  dataFile: DataFile;
  /** Snapshot that added the file. */
  snapshotId: bigint;
  dataSequenceNumber: bigint;
  fileSequenceNumber: bigint;
  partitionSpecId: number;
  manifestPath: string;
}

/** Reads a metadata file and the manifest list of its current snapshot: the state `planCommit` starts from. */
export async function loadTableState(metadataPath: string, readFile: ReadFile): Promise<EventTableState> {
  const metadata = parseTableMetadata(new TextDecoder().decode(await readFile(metadataPath)));
  return { metadata, metadataPath, manifests: await readCurrentManifests(metadata, readFile) };
}

/** Reads the manifest list records of the current snapshot; returns [] for a table without snapshots. */
export async function readCurrentManifests(metadata: TableMetadata, readFile: ReadFile): Promise<ManifestFile[]> {
  const snapshot = currentSnapshot(metadata);
  if (snapshot === undefined) return [];
  return (await readManifestList(await readFile(snapshot['manifest-list']))).manifests;
}

/**
 * Lists the data files of the current snapshot: entries with status ADDED or EXISTING
 * in data manifests. Delete manifests are rejected, because ignoring them would return
 * deleted rows; the events table never writes them.
 */
export async function listLiveDataFiles(metadata: TableMetadata, readFile: ReadFile): Promise<LiveDataFile[]> {
  const manifests = await readCurrentManifests(metadata, readFile);
  const live: LiveDataFile[] = [];
  for (const manifestFile of manifests) {
    if (manifestFile.content !== MANIFEST_CONTENT_DATA) {
      throw new IcebergError(`manifest ${manifestFile.manifest_path} contains delete files, which this reader does not support`);
    }
    const manifest = await readManifest(await readFile(manifestFile.manifest_path));
    for (const entry of manifest.entries) {
      if (entry.status === ManifestEntryStatus.DELETED) continue;
      const resolved = inheritManifestValues(entry, manifestFile);
      live.push({
        dataFile: resolved.data_file,
        snapshotId: resolved.snapshot_id,
        dataSequenceNumber: resolved.sequence_number,
        fileSequenceNumber: resolved.file_sequence_number,
        partitionSpecId: manifest.partitionSpecId ?? manifestFile.partition_spec_id,
        manifestPath: manifestFile.manifest_path,
      });
    }
  }
  return live;
}

export interface DecodedBounds {
  lower: Map<number, SingleValue>;
  upper: Map<number, SingleValue>;
}

/** Decodes a file's lower and upper bounds by the types of `schema`; bounds of columns not in the schema are skipped. */
export function decodeBounds(dataFile: DataFile, schema: IcebergSchema): DecodedBounds {
  const decode = (bounds: Map<number, Uint8Array> | null): Map<number, SingleValue> => {
    const decoded = new Map<number, SingleValue>();
    for (const [id, bytes] of bounds ?? []) {
      const field = findField(schema, id);
      if (field !== undefined && typeof field.type === 'string') decoded.set(id, deserializeSingleValue(field.type, bytes));
    }
    return decoded;
  };
  return { lower: decode(dataFile.lower_bounds), upper: decode(dataFile.upper_bounds) };
}

/** Returns the first and last `seq` in an events data file, from its bounds. */
export function eventFileSeqRange(dataFile: DataFile): { first: bigint; last: bigint } {
  const id = eventColumn('seq').id;
  const lower = dataFile.lower_bounds?.get(id);
  const upper = dataFile.upper_bounds?.get(id);
  if (lower === undefined || upper === undefined) {
    throw new IcebergError(`data file ${dataFile.file_path} has no seq bounds`);
  }
  return { first: deserializeSingleValue('long', lower) as bigint, last: deserializeSingleValue('long', upper) as bigint };
}
