/**
 * The CatalogDO's own record in its SQLite: which metadata version is current,
 * every committed data file, each tenant's committed log end, the snapshot history,
 * and intents of commits in progress. This record, not the bucket, is the authority
 * on what the table contains; a commit takes effect when `recordCommit` returns.
 */
import type { CommittedFile } from '../../pipelines/log-reader';
import type { SnapshotEntry, TableSummary } from './catalog-types';

const schema = [
  `CREATE TABLE IF NOT EXISTS catalog_table (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     location TEXT NOT NULL,
     version INTEGER NOT NULL,
     metadata_path TEXT NOT NULL,
     snapshot_id TEXT,
     sequence_number INTEGER NOT NULL,
     last_updated_ms INTEGER NOT NULL,
     total_records INTEGER NOT NULL,
     total_data_files INTEGER NOT NULL,
     total_files_size INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS catalog_files (
     path TEXT PRIMARY KEY,
     key TEXT NOT NULL,
     tenant TEXT NOT NULL,
     first_seq INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     record_count INTEGER NOT NULL,
     file_size_bytes INTEGER NOT NULL,
     occurred_at_day INTEGER NOT NULL,
     sequence_number INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS catalog_files_by_tenant ON catalog_files (tenant, first_seq)`,
  `CREATE TABLE IF NOT EXISTS catalog_tenants (
     tenant TEXT PRIMARY KEY,
     last_seq INTEGER NOT NULL,
     last_hash TEXT NOT NULL
   ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS catalog_snapshots (
     sequence_number INTEGER PRIMARY KEY,
     snapshot_id TEXT NOT NULL UNIQUE,
     parent_snapshot_id TEXT,
     timestamp_ms INTEGER NOT NULL,
     metadata_path TEXT NOT NULL,
     manifest_list TEXT NOT NULL,
     added_data_files INTEGER NOT NULL,
     added_records INTEGER NOT NULL,
     total_records INTEGER NOT NULL,
     total_data_files INTEGER NOT NULL,
     manifests INTEGER NOT NULL,
     flushes INTEGER NOT NULL
   )`,
  // A metadata file version a round is about to create. A row left behind by a
  // crashed round proves that an existing file of that version is this catalog's orphan.
  `CREATE TABLE IF NOT EXISTS catalog_intents (
     version INTEGER PRIMARY KEY,
     metadata_path TEXT NOT NULL,
     created_at INTEGER NOT NULL
   )`,
] as const;

/** The current table as recorded. */
export interface TableRecord {
  location: string;
  version: number;
  metadataPath: string;
  snapshotId: string | null;
  sequenceNumber: number;
  lastUpdatedMs: number;
  totalRecords: number;
  totalDataFiles: number;
  totalFilesSize: number;
}

/** A committed data file as recorded. */
export interface FileRecord {
  path: string;
  key: string;
  tenant: string;
  firstSeq: number;
  lastSeq: number;
  recordCount: number;
  fileSizeBytes: number;
  occurredAtDay: number;
}

/** End of a tenant's committed log: last seq and its event hash. */
export interface TenantRecord {
  lastSeq: number;
  lastHash: string;
}

export interface CommitRecord {
  table: TableRecord;
  /** Absent when the commit only created the table. */
  snapshot?: SnapshotEntry;
  files: FileRecord[];
  tenants: Map<string, TenantRecord>;
}

type TableRow = {
  location: string;
  version: number;
  metadata_path: string;
  snapshot_id: string | null;
  sequence_number: number;
  last_updated_ms: number;
  total_records: number;
  total_data_files: number;
  total_files_size: number;
};

type FileRow = {
  path: string;
  key: string;
  tenant: string;
  first_seq: number;
  last_seq: number;
  record_count: number;
  file_size_bytes: number;
  occurred_at_day: number;
};

type SnapshotRow = {
  sequence_number: number;
  snapshot_id: string;
  parent_snapshot_id: string | null;
  timestamp_ms: number;
  metadata_path: string;
  manifest_list: string;
  added_data_files: number;
  added_records: number;
  total_records: number;
  total_data_files: number;
  manifests: number;
  flushes: number;
};

export class CatalogStore {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.transactionSync(() => {
      for (const statement of schema) storage.sql.exec(statement);
    });
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  readTable(): TableRecord | null {
    const row = this.sql.exec<TableRow>(`SELECT * FROM catalog_table WHERE singleton = 1`).toArray()[0];
    if (row === undefined) return null;
    return {
      location: row.location,
      version: row.version,
      metadataPath: row.metadata_path,
      snapshotId: row.snapshot_id,
      sequenceNumber: row.sequence_number,
      lastUpdatedMs: row.last_updated_ms,
      totalRecords: row.total_records,
      totalDataFiles: row.total_data_files,
      totalFilesSize: row.total_files_size,
    };
  }

  findFile(path: string): FileRecord | null {
    const row = this.sql.exec<FileRow>(`SELECT * FROM catalog_files WHERE path = ?`, path).toArray()[0];
    return row === undefined ? null : fileRecord(row);
  }

  /** Returns the end of `tenant`'s committed log: seq 0 and `genesisHash` before its first commit. */
  readTenant(tenant: string, genesisHash: string): TenantRecord {
    const row = this.sql
      .exec<{ last_seq: number; last_hash: string }>(`SELECT last_seq, last_hash FROM catalog_tenants WHERE tenant = ?`, tenant)
      .toArray()[0];
    return row === undefined ? { lastSeq: 0, lastHash: genesisHash } : { lastSeq: row.last_seq, lastHash: row.last_hash };
  }

  /** Size of all committed data files of `tenant`, in bytes. */
  tenantBytes(tenant: string): number {
    return this.sql.exec<{ bytes: number | null }>(`SELECT SUM(file_size_bytes) AS bytes FROM catalog_files WHERE tenant = ?`, tenant).one().bytes ?? 0;
  }

  tenantCount(): number {
    return this.sql.exec<{ count: number }>(`SELECT COUNT(*) AS count FROM catalog_tenants`).one().count;
  }

  /** Committed files of `tenant` that overlap `fromSeq..toSeq`, by seq, at most `limit`. */
  filesOverlapping(tenant: string, fromSeq: number, toSeq: number, limit: number): CommittedFile[] {
    return this.sql
      .exec<FileRow>(
        `SELECT * FROM catalog_files WHERE tenant = ? AND last_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?`,
        tenant,
        fromSeq,
        toSeq,
        limit,
      )
      .toArray()
      .map((row) => ({ key: row.key, firstSeq: row.first_seq, lastSeq: row.last_seq, recordCount: row.record_count }));
  }

  hasIntent(version: number): boolean {
    return this.sql.exec(`SELECT 1 FROM catalog_intents WHERE version = ?`, version).toArray().length > 0;
  }

  recordIntent(version: number, metadataPath: string, now: number): void {
    this.sql.exec(
      `INSERT INTO catalog_intents (version, metadata_path, created_at) VALUES (?, ?, ?)
       ON CONFLICT(version) DO UPDATE SET metadata_path = excluded.metadata_path, created_at = excluded.created_at`,
      version,
      metadataPath,
      now,
    );
  }

  deleteIntent(version: number): void {
    this.sql.exec(`DELETE FROM catalog_intents WHERE version = ?`, version);
  }

  /** Records a commit in one transaction: this is the commit point. */
  recordCommit(commit: CommitRecord): void {
    const sql = this.sql;
    this.storage.transactionSync(() => {
      const { table } = commit;
      sql.exec(
        `INSERT INTO catalog_table (singleton, location, version, metadata_path, snapshot_id, sequence_number, last_updated_ms,
           total_records, total_data_files, total_files_size) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(singleton) DO UPDATE SET location = excluded.location, version = excluded.version,
           metadata_path = excluded.metadata_path, snapshot_id = excluded.snapshot_id, sequence_number = excluded.sequence_number,
           last_updated_ms = excluded.last_updated_ms, total_records = excluded.total_records,
           total_data_files = excluded.total_data_files, total_files_size = excluded.total_files_size`,
        table.location,
        table.version,
        table.metadataPath,
        table.snapshotId,
        table.sequenceNumber,
        table.lastUpdatedMs,
        table.totalRecords,
        table.totalDataFiles,
        table.totalFilesSize,
      );
      for (const file of commit.files) {
        sql.exec(
          `INSERT INTO catalog_files (path, key, tenant, first_seq, last_seq, record_count, file_size_bytes, occurred_at_day, sequence_number)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          file.path,
          file.key,
          file.tenant,
          file.firstSeq,
          file.lastSeq,
          file.recordCount,
          file.fileSizeBytes,
          file.occurredAtDay,
          table.sequenceNumber,
        );
      }
      for (const [tenant, end] of commit.tenants) {
        sql.exec(
          `INSERT INTO catalog_tenants (tenant, last_seq, last_hash) VALUES (?, ?, ?)
           ON CONFLICT(tenant) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash`,
          tenant,
          end.lastSeq,
          end.lastHash,
        );
      }
      const snapshot = commit.snapshot;
      if (snapshot !== undefined) {
        sql.exec(
          `INSERT INTO catalog_snapshots (sequence_number, snapshot_id, parent_snapshot_id, timestamp_ms, metadata_path, manifest_list,
             added_data_files, added_records, total_records, total_data_files, manifests, flushes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          snapshot.sequenceNumber,
          snapshot.snapshotId,
          snapshot.parentSnapshotId,
          snapshot.timestampMs,
          snapshot.metadataLocation,
          snapshot.manifestList,
          snapshot.addedDataFiles,
          snapshot.addedRecords,
          snapshot.totalRecords,
          snapshot.totalDataFiles,
          snapshot.manifests,
          snapshot.flushes,
        );
      }
      sql.exec(`DELETE FROM catalog_intents WHERE version <= ?`, table.version);
    });
  }

  /** Snapshots newest first, those with a sequence number below `beforeSequence` when given, at most `limit`. */
  snapshots(limit: number, beforeSequence: number | null): SnapshotEntry[] {
    return this.sql
      .exec<SnapshotRow>(
        `SELECT * FROM catalog_snapshots WHERE (?1 IS NULL OR sequence_number < ?1) ORDER BY sequence_number DESC LIMIT ?2`,
        beforeSequence,
        limit,
      )
      .toArray()
      .map((row) => ({
        snapshotId: row.snapshot_id,
        parentSnapshotId: row.parent_snapshot_id,
        sequenceNumber: row.sequence_number,
        timestampMs: row.timestamp_ms,
        metadataLocation: row.metadata_path,
        manifestList: row.manifest_list,
        addedDataFiles: row.added_data_files,
        addedRecords: row.added_records,
        totalRecords: row.total_records,
        totalDataFiles: row.total_data_files,
        manifests: row.manifests,
        flushes: row.flushes,
      }));
  }

  summary(location: string): TableSummary {
    const table = this.readTable();
    return {
      location,
      metadataLocation: table?.metadataPath ?? null,
      version: table?.version ?? 0,
      snapshotId: table?.snapshotId ?? null,
      sequenceNumber: table?.sequenceNumber ?? 0,
      lastUpdatedMs: table?.lastUpdatedMs ?? null,
      totals: {
        records: table?.totalRecords ?? 0,
        dataFiles: table?.totalDataFiles ?? 0,
        filesSizeBytes: table?.totalFilesSize ?? 0,
        tenants: this.tenantCount(),
      },
    };
  }
}

function fileRecord(row: FileRow): FileRecord {
  return {
    path: row.path,
    key: row.key,
    tenant: row.tenant,
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    recordCount: row.record_count,
    fileSizeBytes: row.file_size_bytes,
    occurredAtDay: row.occurred_at_day,
  };
}
