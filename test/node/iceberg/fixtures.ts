/**
 * Iceberg files written by Apache Spark (manifests, a manifest list and a small table),
 * kept in `test/fixtures/iceberg`; its README gives their origin and license.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/iceberg');

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIRECTORY, name)));
}

export function readFixtureJson(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES_DIRECTORY, name), 'utf8'));
}
