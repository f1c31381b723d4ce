import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Unit and integration tests run inside workerd, against the real bindings.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                LOG_REQUESTS: 'false',
                RATE_LIMIT_ADMIN_TENANTS: 'rl-internal-admin',
                // No flush alarm fires on its own during a test; pipeline tests run alarms explicitly.
                FLUSH_INTERVAL_MS: '3600000',
                // Commit rounds back to back, so tests that commit many times stay fast.
                CATALOG_COMMIT_INTERVAL_MS: '0',
              },
            },
          }),
        ],
        // The pool cannot load a `.wasm` import (parquet-wasm) from outside the project
        // root, which is where a symlinked node_modules (as in git worktrees) resolves to.
        resolve: { preserveSymlinks: true },
        test: {
          name: 'workers',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
        },
      },
      {
        // Node-side tests: independent readers (DuckDB, avsc, icebird) and e2e runs of `wrangler dev`.
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
