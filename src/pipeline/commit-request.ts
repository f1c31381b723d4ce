/**
 * The catalog's checks of one commit request, in two stages: `describeRequest` checks
 * the request on its own (tenant, keys, table layout, consecutive files), and
 * `sequenceRequest` places its files after the tenant's committed log. A request that
 * fails either stage is rejected alone; the rest of its round goes on.
 */
import { dataFileInput, type DataFileCommit, tableKeyPrefix } from '../../pipelines/data-file-commit';
import { eventFileSeqRange, type EventDataFileInput, IcebergError } from '../../pipelines/iceberg';
import { eventDataFile } from '../../pipelines/iceberg/event-data-file';
import { TenantlogError } from '../errors';
import { TENANT_SLUG } from '../routing/tenant-resolution';
import type { FileRecord, TenantRecord } from './catalog-store';
import type { CommitRequest } from './catalog-types';

/** A data file of a request that passed the checks of its own. */
export interface DescribedFile {
  record: FileRecord;
  input: EventDataFileInput;
}

/** A request whose files passed `describeRequest`, ordered by seq. */
export interface DescribedRequest {
  request: CommitRequest;
  files: DescribedFile[];
}

/** The files one request adds to a round, and the tenant's log end after them. */
export interface RequestPlan {
  tenant: string;
  added: FileRecord[];
  inputs: EventDataFileInput[];
  alreadyCommitted: string[];
  /** The tenant's committed log end once the request's files are in. */
  end: TenantRecord;
}

/**
 * Checks a request on its own. Files must lie under the table's `data/` folder,
 * belong to the request's tenant, pass the table layout checks (`eventDataFile`), and
 * cover consecutive seqs. Throws VALIDATION_FAILED.
 */
export function describeRequest(request: CommitRequest, tableLocation: string): DescribedRequest {
  const tenant = request?.tenant;
  if (typeof tenant !== 'string' || !TENANT_SLUG.test(tenant)) throw invalid(`tenant ${JSON.stringify(tenant)} is not a valid slug`);
  if (!Array.isArray(request.files) || request.files.length === 0) throw invalid(`request of tenant ${tenant} has no files`);
  if (typeof request.prevHash !== 'string' || typeof request.lastHash !== 'string') {
    throw invalid(`request of tenant ${tenant} needs prevHash and lastHash`);
  }
  const prefix = `${tableKeyPrefix(tableLocation)}/data/`;

  const files = request.files.map((file) => describeFile(file, tenant, prefix, tableLocation));
  files.sort((a, b) => a.record.firstSeq - b.record.firstSeq);
  for (let index = 1; index < files.length; index++) {
    const previous = files[index - 1]!.record;
    const current = files[index]!.record;
    if (current.firstSeq !== previous.lastSeq + 1) {
      throw invalid(`files of tenant ${tenant} are not consecutive: ${current.key} starts at seq ${current.firstSeq} after seq ${previous.lastSeq}`);
    }
  }
  return { request, files };
}

/**
 * Places a described request after the tenant's committed log. A file whose path is
 * committed is skipped, so a retried flush is harmless. The others must continue the
 * log exactly, at the next seq and, for the request's first file, on the same hash
 * chain. Throws LOG_INTEGRITY otherwise.
 */
export function sequenceRequest(described: DescribedRequest, committedEnd: TenantRecord, isCommitted: (path: string) => boolean): RequestPlan {
  const { request, files } = described;
  const { tenant } = request;
  const plan: RequestPlan = { tenant, added: [], inputs: [], alreadyCommitted: [], end: committedEnd };
  for (const [index, file] of files.entries()) {
    if (isCommitted(file.record.path)) {
      plan.alreadyCommitted.push(file.record.key);
      continue;
    }
    if (file.record.firstSeq !== plan.end.lastSeq + 1) {
      throw integrity(`${file.record.key} starts at seq ${file.record.firstSeq}, but the committed log of tenant ${tenant} ends at seq ${plan.end.lastSeq}`);
    }
    if (index === 0 && request.prevHash !== plan.end.lastHash) {
      throw integrity(`${file.record.key} does not continue the hash chain of tenant ${tenant} after seq ${plan.end.lastSeq}`);
    }
    plan.added.push(file.record);
    plan.inputs.push(file.input);
    // The hash at the end of an inner file is unknown; only the request's last one is.
    plan.end = { lastSeq: file.record.lastSeq, lastHash: '' };
  }

  const last = files[files.length - 1]!.record;
  if (plan.added.length > 0) {
    if (plan.added[plan.added.length - 1] !== last) throw integrity(`request of tenant ${tenant} adds files before ones already committed`);
    plan.end = { lastSeq: last.lastSeq, lastHash: request.lastHash };
  } else if (last.lastSeq === committedEnd.lastSeq && request.lastHash !== committedEnd.lastHash) {
    throw integrity(`tenant ${tenant} sent seq ${last.lastSeq} with another hash than the committed one: its log diverged from the table`);
  }
  return plan;
}

function describeFile(file: DataFileCommit, tenant: string, prefix: string, location: string): DescribedFile {
  if (typeof file?.key !== 'string' || !file.key.startsWith(prefix)) {
    throw invalid(`data file key ${JSON.stringify(file?.key)} is not under ${prefix}`);
  }
  if (file.partition?.tenant !== tenant) {
    throw invalid(`data file ${file.key} belongs to tenant ${JSON.stringify(file.partition?.tenant)}, not ${tenant}`);
  }
  const input = dataFileInput(file, location);
  let seqRange: ReturnType<typeof eventFileSeqRange>;
  try {
    seqRange = eventFileSeqRange(eventDataFile(input, location));
  } catch (error) {
    // The IcebergError names the file and the broken layout rule.
    if (error instanceof IcebergError) throw invalid(error.message, error);
    throw error;
  }
  return {
    input,
    record: {
      path: input.path,
      key: file.key,
      tenant,
      firstSeq: Number(seqRange.first),
      lastSeq: Number(seqRange.last),
      recordCount: file.recordCount,
      fileSizeBytes: file.fileSizeBytes,
      occurredAtDay: file.partition.occurredAtDay,
    },
  };
}

export function invalid(message: string, cause?: unknown): TenantlogError {
  return new TenantlogError('VALIDATION_FAILED', `commit request rejected: ${message}`, { cause });
}

function integrity(message: string): TenantlogError {
  return new TenantlogError('LOG_INTEGRITY', `commit request rejected: ${message}`);
}
