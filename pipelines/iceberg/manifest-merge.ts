/**
 * Manifest merging. Every commit adds one manifest, so without merging the manifest
 * list of a table that commits every few seconds would grow without end and every
 * reader would open thousands of tiny files. When a commit would leave more manifests
 * than a threshold, the small ones are rewritten into one manifest whose entries are
 * EXISTING, as the reference implementation's merging append does.
 */
import { readManifest, inheritManifestValues, ManifestEntryStatus, type ManifestEntry } from './manifest';
import { MANIFEST_CONTENT_DATA, type ManifestFile } from './manifest-list';
import { IcebergError } from './iceberg-error';

export interface ManifestMergePolicy {
  /** Merge when the new manifest list would hold more than this many manifests. */
  threshold: number;
  /** Manifests at least this large are kept as they are. */
  targetSizeBytes: number;
  /** Only manifests of this partition spec are merged, because all entries of a manifest share one spec. */
  specId: number;
}

/** Table properties that configure merging, with the reference implementation's names and defaults. */
export const MERGE_THRESHOLD_PROPERTY = 'commit.manifest.min-count-to-merge';
export const MERGE_TARGET_SIZE_PROPERTY = 'commit.manifest.target-size-bytes';
export const DEFAULT_MERGE_THRESHOLD = 100;
export const DEFAULT_MERGE_TARGET_SIZE_BYTES = 8 * 1024 * 1024;

/**
 * Returns the existing manifests to merge in a commit that adds one manifest, or an
 * empty list. Merging fewer than two manifests would only rewrite one, so it never does.
 */
export function selectManifestsToMerge(existing: readonly ManifestFile[], policy: ManifestMergePolicy): ManifestFile[] {
  if (existing.length + 1 <= policy.threshold) return [];
  const small = existing.filter(
    (manifest) =>
      manifest.content === MANIFEST_CONTENT_DATA &&
      manifest.partition_spec_id === policy.specId &&
      manifest.manifest_length < policy.targetSizeBytes,
  );
  return small.length >= 2 ? small : [];
}

/**
 * Reads `manifests` through `readFile` and returns their live entries as EXISTING, with
 * the snapshot ids and sequence numbers they had (inherited values written out), so
 * that moving an entry to a new manifest never changes its sequence numbers. DELETED
 * entries are dropped: they only matter to the snapshot that deleted them.
 */
export async function existingEntriesOf(
  manifests: readonly ManifestFile[],
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const manifest of manifests) {
    const bytes = await readFile(manifest.manifest_path);
    if (bytes.length !== manifest.manifest_length) {
      throw new IcebergError(
        `manifest ${manifest.manifest_path} is ${bytes.length} bytes, but its manifest_length is ${manifest.manifest_length}`,
      );
    }
    for (const entry of (await readManifest(bytes)).entries) {
      if (entry.status === ManifestEntryStatus.DELETED) continue;
      entries.push({ ...inheritManifestValues(entry, manifest), status: ManifestEntryStatus.EXISTING });
    }
  }
  return entries;
}
