/**
 * One commit round of the events table: the protocol the CatalogDO runs for a batch
 * of flush requests. Steps, in order:
 *
 * 1. Check that each request's files are stored, and sort them into already
 *    committed, new, or rejected.
 * 2. Plan the snapshot (`planCommit`) and record an intent for its metadata version.
 * 3. Write the manifest(s) and the manifest list (new names every attempt).
 * 4. Create `v<N+1>.metadata.json` with a create-only put.
 * 5. Record the new state and the committed files in one SQLite transaction: the commit point.
 * 6. Write `version-hint.text`.
 *
 * A crash before step 5 leaves only files nothing refers to, and the callers retry.
 * A crash after it leaves a durable commit whose version hint may lag, which the
 * next round or a restart rewrites.
 */
import { GENESIS_HASH } from '../../events/hash';
import {
  createEventTable,
  type EventTableState,
  loadTableState,
  objectKey,
  planCommit,
  type TableFile,
  versionHintPath,
} from '../../pipelines/iceberg';
import { readTotal } from '../../pipelines/iceberg/snapshot';
import type { Clock } from '../clock';
import { TenantlogError } from '../errors';
import { errorFields, log } from '../observability/log';
import type { CatalogStore, TenantRecord } from './catalog-store';
import type { CommitRequest, CommitResult } from './catalog-types';
import type { RoundOutcome } from './commit-batcher';
import { type DescribedRequest, describeRequest, invalid, type RequestPlan, sequenceRequest } from './commit-request';
import type { PipelineConfig } from './pipeline-config';
import { createTableFile, putTableFile, r2ReadFile } from './r2-table-files';

/** Test-only switches that make a round fail at one step, as a crash there would. */
export interface CatalogFaults {
  /** Throw once the manifests and the manifest list are written. */
  afterManifestWrite?: boolean;
  /** Throw once the new metadata file is written, before the catalog records the commit. */
  afterMetadataWrite?: boolean;
}

export interface TableCommitterOptions {
  bucket: R2Bucket;
  store: CatalogStore;
  clock: Clock;
  config: () => PipelineConfig;
  faults: () => CatalogFaults;
}

export class TableCommitter {
  /** The table as of the last recorded commit; loaded on first use. */
  private state: EventTableState | null = null;

  constructor(private readonly options: TableCommitterOptions) {}

  /** Runs one round over `requests` and returns one outcome per request. Throws only for a failure that affects all of them. */
  async commitRound(requests: readonly CommitRequest[]): Promise<RoundOutcome<CommitResult>[]> {
    const { store, clock } = this.options;
    const config = this.options.config();
    const state = await this.currentState();

    // 1. Check and sort each request's files; a request that breaks a rule fails alone.
    type Checked = DescribedRequest | { error: unknown };
    const described: Checked[] = requests.map((request) => {
      try {
        return describeRequest(request, config.tableLocation);
      } catch (error) {
        return { error };
      }
    });
    const checked: Checked[] = await Promise.all(
      described.map(async (request) => ('error' in request ? request : this.checkStored(request).then(() => request, (error: unknown) => ({ error })))),
    );
    const tenants = new Map<string, TenantRecord>();
    const addedPaths = new Set<string>();
    const plans: Array<RequestPlan | { error: unknown }> = checked.map((request) => {
      if ('error' in request) return request;
      try {
        const tenant = request.request.tenant;
        const end = tenants.get(tenant) ?? store.readTenant(tenant, GENESIS_HASH);
        const plan = sequenceRequest(request, end, (path) => addedPaths.has(path) || store.findFile(path) !== null);
        for (const file of plan.added) addedPaths.add(file.path);
        tenants.set(tenant, plan.end);
        return plan;
      } catch (error) {
        return { error };
      }
    });
    const accepted = plans.filter((plan): plan is RequestPlan => !('error' in plan));
    const inputs = accepted.flatMap((plan) => plan.inputs);
    if (inputs.length === 0) return plans.map((plan) => this.outcome(plan, state.metadataPath));

    // 2. Plan the snapshot and record the intent to create its metadata version.
    const plan = await planCommit(state, inputs, {
      clock,
      readFile: r2ReadFile(this.options.bucket),
      manifestMergeThreshold: config.manifestMergeThreshold,
    });
    const orphanPossible = store.hasIntent(plan.version);
    store.recordIntent(plan.version, plan.metadataPath, clock.now());

    // 3. Manifests and the manifest list.
    for (const file of plan.files) {
      if (file !== plan.metadataFile) await putTableFile(this.options.bucket, file);
    }
    if (this.options.faults().afterManifestWrite) throw new Error('injected fault: after the manifest write');

    // 4. The metadata file, created only if its version does not exist yet.
    await this.createMetadataFile(plan.metadataFile, plan.version, orphanPossible);
    if (this.options.faults().afterMetadataWrite) throw new Error('injected fault: after the metadata write');

    // 5. The commit point.
    const summary = plan.snapshot.summary;
    const snapshotId = plan.snapshot['snapshot-id'].toString();
    const totals = {
      records: readTotal(summary, 'total-records') ?? 0,
      dataFiles: readTotal(summary, 'total-data-files') ?? 0,
      filesSize: readTotal(summary, 'total-files-size') ?? 0,
    };
    store.recordCommit({
      table: {
        location: config.tableLocation,
        version: plan.version,
        metadataPath: plan.metadataPath,
        snapshotId,
        sequenceNumber: plan.snapshot['sequence-number'],
        lastUpdatedMs: plan.metadata['last-updated-ms'],
        totalRecords: totals.records,
        totalDataFiles: totals.dataFiles,
        totalFilesSize: totals.filesSize,
      },
      snapshot: {
        snapshotId,
        parentSnapshotId: plan.snapshot['parent-snapshot-id']?.toString() ?? null,
        sequenceNumber: plan.snapshot['sequence-number'],
        timestampMs: plan.snapshot['timestamp-ms'],
        metadataLocation: plan.metadataPath,
        manifestList: plan.manifestList.path,
        addedDataFiles: inputs.length,
        addedRecords: inputs.reduce((total, input) => total + input.recordCount, 0),
        totalRecords: totals.records,
        totalDataFiles: totals.dataFiles,
        manifests: plan.nextState.manifests.length,
        flushes: accepted.filter((request) => request.added.length > 0).length,
      },
      files: accepted.flatMap((request) => request.added),
      tenants,
    });
    this.state = plan.nextState;

    // 6. The hint for readers that find the current version through the file system.
    await this.writeVersionHint(plan.versionHint);
    return plans.map((request) => this.outcome(request, plan.metadataPath));
  }

  /** Rejects a request whose data files are not all stored with the sizes it declares, so no commit references a missing file. */
  private async checkStored(request: DescribedRequest): Promise<void> {
    const heads = await Promise.all(request.files.map((file) => this.options.bucket.head(file.record.key)));
    request.files.forEach(({ record }, index) => {
      const head = heads[index];
      if (head === null || head === undefined) throw invalid(`data file ${record.key} is not in the bucket`);
      if (head.size !== record.fileSizeBytes) throw invalid(`data file ${record.key} has ${head.size} bytes in the bucket, expected ${record.fileSizeBytes} from the request`);
    });
  }

  /** Returns the current table state, creating the table (version 1) when the catalog has none yet. */
  private async currentState(): Promise<EventTableState> {
    if (this.state !== null) return this.state;
    const { store, bucket, clock } = this.options;
    const config = this.options.config();
    const record = store.readTable();

    if (record !== null) {
      if (record.location !== config.tableLocation) {
        throw new TenantlogError(
          'INTERNAL',
          `catalog records the table at ${record.location}, but TABLE_LOCATION is ${config.tableLocation}; moving a table is not supported`,
        );
      }
      this.state = await loadTableState(record.metadataPath, r2ReadFile(bucket));
      // The hint may lag if the previous instance stopped right after its commit point.
      await this.writeVersionHint(hintFile(record.location, record.version));
      return this.state;
    }

    const created = createEventTable({
      location: config.tableLocation,
      clock,
      properties: { 'commit.manifest.min-count-to-merge': String(config.manifestMergeThreshold) },
    });
    const [metadataFile, versionHint] = created.files as [TableFile, TableFile];
    const orphanPossible = store.hasIntent(1);
    store.recordIntent(1, created.metadataPath, clock.now());
    await this.createMetadataFile(metadataFile, 1, orphanPossible);
    store.recordCommit({
      table: {
        location: config.tableLocation,
        version: 1,
        metadataPath: created.metadataPath,
        snapshotId: null,
        sequenceNumber: 0,
        lastUpdatedMs: created.metadata['last-updated-ms'],
        totalRecords: 0,
        totalDataFiles: 0,
        totalFilesSize: 0,
      },
      files: [],
      tenants: new Map(),
    });
    log('info', 'catalog created the events table', { location: config.tableLocation, metadataLocation: created.metadataPath });
    this.state = created.state;
    await this.writeVersionHint(versionHint);
    return this.state;
  }

  /**
   * Creates a metadata file with a create-only put. An existing object of that version
   * is overwritten only when this catalog's own intent for the version predates the
   * round, which proves it is the orphan of a round that stopped before its commit
   * point. Any other existing file means a second writer, and the round fails.
   */
  private async createMetadataFile(file: TableFile, version: number, orphanPossible: boolean): Promise<void> {
    if (await createTableFile(this.options.bucket, file)) return;
    if (!orphanPossible) {
      // This round wrote nothing at that version, so its intent must not vouch for the file later.
      this.options.store.deleteIntent(version);
      throw new TenantlogError(
        'INTERNAL',
        `metadata file ${file.path} already exists but this catalog never started version ${version}: another writer is committing to the table`,
      );
    }
    log('warn', 'catalog replaces an uncommitted metadata file of its own', { metadataLocation: file.path, version });
    await putTableFile(this.options.bucket, file);
  }

  private async writeVersionHint(hint: TableFile): Promise<void> {
    try {
      await putTableFile(this.options.bucket, hint);
    } catch (error) {
      // The commit is durable in the catalog's record; the next round writes the hint again.
      log('warn', 'catalog could not write version-hint.text', { path: hint.path, ...errorFields(error) });
    }
  }

  private outcome(plan: RequestPlan | { error: unknown }, metadataLocation: string): RoundOutcome<CommitResult> {
    if ('error' in plan) return { ok: false, error: plan.error };
    const table = this.options.store.readTable();
    if (table?.snapshotId == null) {
      return { ok: false, error: new TenantlogError('INTERNAL', 'catalog has no snapshot although the request has committed files') };
    }
    return {
      ok: true,
      value: {
        snapshotId: table.snapshotId,
        sequenceNumber: table.sequenceNumber,
        metadataLocation,
        added: plan.added.map((file) => file.key),
        alreadyCommitted: plan.alreadyCommitted,
        tenantBytes: this.options.store.tenantBytes(plan.tenant),
      },
    };
  }
}

function hintFile(location: string, version: number): TableFile {
  const path = versionHintPath(location);
  return { path, key: objectKey(path), bytes: new TextEncoder().encode(String(version)), contentType: 'text/plain' };
}
