/**
 * Location of the shared Iceberg fixtures (tables and manifests written by Spark). They
 * live in `shared/fixtures/iceberg` beside the checkout, which for a git worktree is a
 * few folders further up, so the nearest ancestor that has it wins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findFixturesDirectory(): string {
  let directory = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  for (;;) {
    const candidate = join(directory, 'shared', 'fixtures', 'iceberg');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('shared/fixtures/iceberg not found beside the checkout or any parent folder');
    directory = parent;
  }
}

export const FIXTURES_DIRECTORY = findFixturesDirectory();

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIRECTORY, name)));
}

export function readFixtureJson(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES_DIRECTORY, name), 'utf8'));
}
