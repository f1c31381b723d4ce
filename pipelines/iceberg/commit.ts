/**
 * Commit planning for the events table: pure functions that turn the current table
 * state and the data files of a flush into the bytes of the next manifest(s), manifest
 * list and metadata file. The caller (the CatalogDO) does all storage I/O and the
 * atomic pointer swap; nothing here writes.
 *
 * Protocol the caller follows for one commit:
 * 1. `planCommit(state, files, options)`.
 * 2. Write every entry of `plan.files` (manifests, then the manifest list, then the
 *    metadata file). All paths are new, so a crash leaves only unreferenced files.
 * 3. Swap the table pointer from `state.metadataPath` to `plan.metadataPath`
 *    atomically; on a lost race, plan again from the new state.
 * 4. Write `plan.versionHint` (a hint for file-system readers; losing it is harmless)
 *    and keep `plan.nextState` as the new state.
 */
import type { Clock } from '../../src/clock';
import type { AvroCodec } from '../avro/codec';
import { eventDataFile, type EventDataFileInput } from './event-data-file';
import type { DataFile } from './data-file';
import { IcebergError } from './iceberg-error';
import { ManifestEntryStatus, writeManifest, type ManifestEntry } from './manifest';
import { describeManifest, writeManifestList, type ManifestFile } from './manifest-list';
import {
  DEFAULT_MERGE_TARGET_SIZE_BYTES,
  DEFAULT_MERGE_THRESHOLD,
  existingEntriesOf,
  MERGE_TARGET_SIZE_PROPERTY,
  MERGE_THRESHOLD_PROPERTY,
  selectManifestsToMerge,
} from './manifest-merge';
import {
  createEventTableMetadata,
  currentSchema,
  currentSnapshot,
  defaultPartitionSpec,
  serializeTableMetadata,
  type TableMetadata,
} from './metadata';
import { EVENT_PARTITION_SPEC } from './partition';
import {
  manifestListPath,
  manifestPath,
  metadataFilePath,
  metadataVersionFromPath,
  normalizeTableLocation,
  objectKey,
  versionHintPath,
} from './paths';
import { appendSummary, generateSnapshotId, nextTimestampMs, type Snapshot } from './snapshot';
import { EVENT_SCHEMA } from './table-schema';

/** Starting point of a commit: the current metadata, its path, and its snapshot's manifest list. */
export interface EventTableState {
  metadata: TableMetadata;
  /** Absolute path of the current `v<N>.metadata.json`. */
  metadataPath: string;
  /** The current snapshot's manifest list records; empty for a table without snapshots. */
  manifests: ManifestFile[];
}

/** A file to store: its absolute path, its object key in the bucket, and its bytes. */
export interface TableFile {
  path: string;
  key: string;
  bytes: Uint8Array;
  contentType: string;
}

export interface CommitOptions {
  clock: Clock;
  /** Reads a table file by absolute path; called only to merge manifests. */
  readFile: (path: string) => Promise<Uint8Array>;
  /** Defaults to the table property `commit.manifest.min-count-to-merge`, else 100. */
  manifestMergeThreshold?: number;
  /** Defaults to the table property `commit.manifest.target-size-bytes`, else 8 MiB. */
  manifestTargetSizeBytes?: number;
  /** Entries kept in `metadata-log`; defaults to `write.metadata.previous-versions-max`, else 100. */
  maxPreviousMetadataFiles?: number;
  /** Avro codec of manifests and manifest lists; defaults to `deflate`. */
  codec?: AvroCodec;
}

export interface CommitPlan {
  /** `N + 1`, the version of the new metadata file. */
  version: number;
  metadata: TableMetadata;
  metadataPath: string;
  snapshot: Snapshot;
  /** The `data_file` records added, in input order. */
  dataFiles: DataFile[];
  /** Manifests (added, then merged if any), the manifest list, then the metadata file, in write order. */
  files: TableFile[];
  addedManifest: TableFile;
  /** Present when this commit merged small manifests. */
  mergedManifest?: TableFile;
  /** Paths of the manifests the merged manifest replaces; they stay readable by older snapshots. */
  replacedManifestPaths: string[];
  manifestList: TableFile;
  metadataFile: TableFile;
  /** `version-hint.text`, written after the pointer swap. */
  versionHint: TableFile;
  nextState: EventTableState;
}

const AVRO = 'application/octet-stream';
const JSON_TYPE = 'application/json';
const TEXT = 'text/plain';
const DEFAULT_PREVIOUS_METADATA_FILES = 100;

export interface CreateEventTableOptions {
  /** Table location from configuration, e.g. `s3://tenantlog-events/events`. */
  location: string;
  clock: Clock;
  /** A random UUID unless given. */
  tableUuid?: string;
  /** Extra table properties, e.g. the merge threshold. */
  properties?: Record<string, string>;
}

export interface CreatedEventTable {
  metadata: TableMetadata;
  metadataPath: string;
  /** `v1.metadata.json` and the version hint. */
  files: TableFile[];
  state: EventTableState;
}

/** Plans version 1 of the events table: its schema, partition spec and sort order, and no snapshot. */
export function createEventTable(options: CreateEventTableOptions): CreatedEventTable {
  const location = normalizeTableLocation(options.location);
  const metadata = createEventTableMetadata({
    location,
    tableUuid: options.tableUuid ?? crypto.randomUUID(),
    timestampMs: options.clock.now(),
    ...(options.properties && { properties: options.properties }),
  });
  const metadataFile = tableFile(metadataFilePath(location, 1), utf8(serializeTableMetadata(metadata)), JSON_TYPE);
  const versionHint = tableFile(versionHintPath(location), utf8('1'), TEXT);
  return {
    metadata,
    metadataPath: metadataFile.path,
    files: [metadataFile, versionHint],
    state: { metadata, metadataPath: metadataFile.path, manifests: [] },
  };
}

/**
 * Plans an append of `files` to the events table. Checks every file against the table
 * layout (see `eventDataFile`) and rejects duplicate paths within the commit with an
 * IcebergError. It does not look for paths committed earlier, so the caller must keep
 * its own record of committed files. Added entries leave their sequence numbers null so they inherit the
 * manifest list's. When the manifest list would exceed the merge threshold, the small
 * manifests are read through `options.readFile` and merged into one.
 */
export async function planCommit(
  state: EventTableState,
  files: readonly EventDataFileInput[],
  options: CommitOptions,
): Promise<CommitPlan> {
  const previous = state.metadata;
  const location = normalizeTableLocation(previous.location);
  assertEventTable(previous);
  if (files.length === 0) throw new IcebergError('a commit needs at least one data file');

  // 1. Data files.
  const dataFiles = files.map((file) => eventDataFile(file, location));
  const seen = new Set<string>();
  for (const file of dataFiles) {
    if (seen.has(file.file_path)) throw new IcebergError(`data file ${JSON.stringify(file.file_path)} appears twice in one commit`);
    seen.add(file.file_path);
  }

  // 2. Identity of the new snapshot.
  const parent = currentSnapshot(previous);
  const snapshotId = generateSnapshotId(new Set(previous.snapshots.map((snapshot) => snapshot['snapshot-id'])));
  const sequenceNumber = previous['last-sequence-number'] + 1;
  const timestampMs = nextTimestampMs(options.clock, previous['last-updated-ms']);
  const commitUuid = crypto.randomUUID();
  const schema = currentSchema(previous);
  const spec = defaultPartitionSpec(previous);
  const codec = options.codec ?? 'deflate';

  // 3. The manifest of the added files.
  const addedEntries: ManifestEntry[] = dataFiles.map((dataFile) => ({
    status: ManifestEntryStatus.ADDED,
    snapshot_id: snapshotId,
    sequence_number: null,
    file_sequence_number: null,
    data_file: dataFile,
  }));
  const addedManifest = tableFile(
    manifestPath(location, commitUuid, 0),
    await writeManifest({ schema, spec, entries: addedEntries, codec }),
    AVRO,
  );
  const newManifests: ManifestFile[] = [
    describeManifest({ ...manifestInput(addedManifest), spec, schema, snapshotId, sequenceNumber: BigInt(sequenceNumber), entries: addedEntries }),
  ];

  // 4. Merge small manifests when the list would grow past the threshold.
  const toMerge = selectManifestsToMerge(state.manifests, {
    threshold: options.manifestMergeThreshold ?? numericProperty(previous, MERGE_THRESHOLD_PROPERTY) ?? DEFAULT_MERGE_THRESHOLD,
    targetSizeBytes:
      options.manifestTargetSizeBytes ?? numericProperty(previous, MERGE_TARGET_SIZE_PROPERTY) ?? DEFAULT_MERGE_TARGET_SIZE_BYTES,
    specId: spec['spec-id'],
  });
  let mergedManifest: TableFile | undefined;
  let entriesProcessed = 0;
  if (toMerge.length > 0) {
    const existingEntries = await existingEntriesOf(toMerge, options.readFile);
    for (const entry of existingEntries) {
      if (seen.has(entry.data_file.file_path)) {
        throw new IcebergError(`data file ${JSON.stringify(entry.data_file.file_path)} is already in the table`);
      }
    }
    entriesProcessed = existingEntries.length;
    mergedManifest = tableFile(
      manifestPath(location, commitUuid, 1),
      await writeManifest({ schema, spec, entries: existingEntries, codec }),
      AVRO,
    );
    newManifests.push(
      describeManifest({ ...manifestInput(mergedManifest), spec, schema, snapshotId, sequenceNumber: BigInt(sequenceNumber), entries: existingEntries }),
    );
  }
  const mergedPaths = new Set(toMerge.map((manifest) => manifest.manifest_path));
  const keptManifests = state.manifests.filter((manifest) => !mergedPaths.has(manifest.manifest_path));
  const manifests = [...newManifests, ...keptManifests];

  // 5. The manifest list.
  const parentSnapshotId = parent?.['snapshot-id'] ?? null;
  const manifestList = tableFile(
    manifestListPath(location, snapshotId, commitUuid),
    await writeManifestList({ snapshotId, parentSnapshotId, sequenceNumber: BigInt(sequenceNumber), manifests, codec }),
    AVRO,
  );

  // 6. The snapshot and the next metadata.
  const snapshot: Snapshot = {
    'snapshot-id': snapshotId,
    ...(parentSnapshotId !== null && { 'parent-snapshot-id': parentSnapshotId }),
    'sequence-number': sequenceNumber,
    'timestamp-ms': timestampMs,
    'manifest-list': manifestList.path,
    summary: appendSummary({
      previous: parent?.summary,
      addedFiles: dataFiles,
      fallbackTotals: {
        dataFiles: state.manifests.reduce((total, m) => total + m.added_files_count + m.existing_files_count, 0),
        records: state.manifests.reduce((total, m) => total + m.added_rows_count + m.existing_rows_count, 0),
      },
      manifestsCreated: newManifests.length,
      manifestsKept: keptManifests.length,
      manifestsReplaced: toMerge.length,
      entriesProcessed,
    }),
    'schema-id': schema['schema-id'],
  };
  const maxPrevious =
    options.maxPreviousMetadataFiles ?? numericProperty(previous, 'write.metadata.previous-versions-max') ?? DEFAULT_PREVIOUS_METADATA_FILES;
  const metadataLog = [...previous['metadata-log'], { 'timestamp-ms': previous['last-updated-ms'], 'metadata-file': state.metadataPath }];
  const metadata: TableMetadata = {
    ...previous,
    'last-sequence-number': sequenceNumber,
    'last-updated-ms': timestampMs,
    'current-snapshot-id': snapshotId,
    refs: { ...previous.refs, main: { 'snapshot-id': snapshotId, type: 'branch' } },
    snapshots: [...previous.snapshots, snapshot],
    'snapshot-log': [...previous['snapshot-log'], { 'timestamp-ms': timestampMs, 'snapshot-id': snapshotId }],
    'metadata-log': metadataLog.slice(Math.max(0, metadataLog.length - maxPrevious)),
  };
  const version = metadataVersionFromPath(state.metadataPath) + 1;
  const metadataFile = tableFile(metadataFilePath(location, version), utf8(serializeTableMetadata(metadata)), JSON_TYPE);

  return {
    version,
    metadata,
    metadataPath: metadataFile.path,
    snapshot,
    dataFiles,
    files: [addedManifest, ...(mergedManifest ? [mergedManifest] : []), manifestList, metadataFile],
    addedManifest,
    ...(mergedManifest && { mergedManifest }),
    replacedManifestPaths: [...mergedPaths],
    manifestList,
    metadataFile,
    versionHint: tableFile(versionHintPath(location), utf8(String(version)), TEXT),
    nextState: { metadata, metadataPath: metadataFile.path, manifests },
  };
}

/** Rejects metadata of another table layout, so a misconfigured location never gets events appended. */
function assertEventTable(metadata: TableMetadata): void {
  const schema = currentSchema(metadata);
  const sameSchema = JSON.stringify(schema.fields) === JSON.stringify(EVENT_SCHEMA.fields);
  const sameSpec = JSON.stringify(defaultPartitionSpec(metadata).fields) === JSON.stringify(EVENT_PARTITION_SPEC.fields);
  if (!sameSchema || !sameSpec) {
    throw new IcebergError(`table at ${metadata.location} does not have the events schema and partition spec`);
  }
}

function numericProperty(metadata: TableMetadata, key: string): number | undefined {
  const value = metadata.properties[key];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new IcebergError(`table property ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

function manifestInput(file: TableFile): { path: string; bytes: Uint8Array } {
  return { path: file.path, bytes: file.bytes };
}

function tableFile(path: string, bytes: Uint8Array, contentType: string): TableFile {
  return { path, key: objectKey(path), bytes, contentType };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
