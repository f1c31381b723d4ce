/**
 * Paths of a table's files. Every path in metadata and manifests is absolute
 * under the table location (`<scheme>://<bucket>/<prefix>`); the object key in the
 * bucket is the part after `<bucket>/`.
 *
 * Layout: `<location>/metadata/v<N>.metadata.json`, `<location>/metadata/version-hint.text`,
 * `<location>/metadata/<commit-uuid>-m<i>.avro` (manifests),
 * `<location>/metadata/snap-<snapshot-id>-1-<commit-uuid>.avro` (manifest lists), and
 * data files under `<location>/data/`.
 */
import { IcebergError } from './iceberg-error';

const LOCATION = /^([a-z][a-z0-9+.-]*):\/\/([^/\s]+)((?:\/[^/\s]+)*)\/?$/;

/** Checks a table location and strips a trailing slash; throws IcebergError for anything but `scheme://bucket[/prefix]`. */
export function normalizeTableLocation(location: string): string {
  const match = LOCATION.exec(location);
  if (match === null) {
    throw new IcebergError(`invalid table location ${JSON.stringify(location)}: expected scheme://bucket/prefix, e.g. s3://logs/events`);
  }
  return location.endsWith('/') ? location.slice(0, -1) : location;
}

export function metadataFilePath(location: string, version: number): string {
  return `${location}/metadata/v${version}.metadata.json`;
}

/** The file that names the current metadata version, read by file-system style readers such as icebird. */
export function versionHintPath(location: string): string {
  return `${location}/metadata/version-hint.text`;
}

export function manifestPath(location: string, commitUuid: string, index: number): string {
  return `${location}/metadata/${commitUuid}-m${index}.avro`;
}

/** `1` is the commit attempt; a retried commit gets a new commit uuid instead. */
export function manifestListPath(location: string, snapshotId: bigint, commitUuid: string): string {
  return `${location}/metadata/snap-${snapshotId}-1-${commitUuid}.avro`;
}

/** The version `N` of a `.../v<N>.metadata.json` path; throws IcebergError for other names. */
export function metadataVersionFromPath(path: string): number {
  const match = /\/v(\d+)\.metadata\.json$/.exec(path);
  if (match === null) throw new IcebergError(`not a versioned metadata path: ${JSON.stringify(path)}`);
  return Number(match[1]);
}

/** Returns the object key of an absolute path, e.g. `events/metadata/v1.metadata.json` for `s3://logs/events/metadata/v1.metadata.json`. */
export function objectKey(path: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.+)$/.exec(path);
  if (match === null) throw new IcebergError(`not an absolute path with a bucket: ${JSON.stringify(path)}`);
  return match[1] as string;
}

/** Tells whether `path` is strictly inside `directory` (both absolute, `directory` without a trailing slash). */
export function isInside(directory: string, path: string): boolean {
  return path.startsWith(`${directory}/`) && path.length > directory.length + 1 && !path.includes('/../');
}
