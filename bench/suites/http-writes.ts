import { resolve } from 'node:path';

import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { LOAD_TEST_VARS, loadDevServer, type LoadResult } from '../load-generator';
import { median, percentile, significant } from '../statistics';
import { type BenchRow, type BenchSuite, compare, type SuiteContext, type SuiteResult } from '../suite';

const baselineConfig = resolve(import.meta.dirname, '..', 'wrangler.insert-baseline.toml');
const CONCURRENCY = 8;
const ROUNDS = 3;
const WINDOW_MS = 3_000;
const WARMUP_MS = 1_000;

export const httpWritesSuite: BenchSuite = {
  id: 'http',
  title: 'HTTP writes through `wrangler dev`',
  method: [
    'Two `wrangler dev` servers run at once on loopback ports:',
    '',
    '- **ours**: the project Worker (`wrangler.toml`) with `LOG_REQUESTS=false`, so the per-request log line does not go through the dev server console,',
    '  and with the largest `RATE_LIMIT_REQUESTS` and `DEFAULT_PLAN=enterprise`, so the rate limiter and quotas run on every request but do not refuse the load.',
    '  Each request is `POST /things` with a JSON thing of about 150 bytes; the server assigns the id.',
    '- **baseline**: `bench/workers/insert-baseline.ts`, a Worker that takes the tenant from the first label of `Host` and forwards the same request',
    '  to that tenant\'s Durable Object, which reads the body and runs one `INSERT`.',
    '',
    `The load generator (\`bench/load-generator.ts\`) keeps ${CONCURRENCY} requests in flight on keep-alive connections, sets \`Host\` to`,
    `\`bench-<n>.localhost\` round-robin over the tenants, and before each measured window sends one request per tenant and then warms up for ${WARMUP_MS / 1000} s.`,
    `For 1 tenant and then for 50, the two servers take turns for ${ROUNDS} rounds of a ${WINDOW_MS / 1000} s window each, so both see the same machine load.`,
    'Rate is successful requests per second in a window, and the row shows the median over the rounds.',
    'Latency is per request, from send to the last response byte; p50 and p99 are by nearest rank over the requests of all rounds.',
  ].join('\n'),
  run: runHttpWrites,
};

async function runHttpWrites({ log, quick }: SuiteContext): Promise<SuiteResult> {
  const rounds = quick ? 1 : ROUNDS;
  const durationMs = quick ? 1_000 : WINDOW_MS;
  const warmupMs = quick ? 300 : WARMUP_MS;
  const servers: DevServer[] = [];
  try {
    const ours = await startDevServer({ vars: LOAD_TEST_VARS });
    servers.push(ours);
    const baseline = await startDevServer({ configPath: baselineConfig });
    servers.push(baseline);

    const measure = async (server: DevServer, label: string, tenants: number) => {
      const result = await loadDevServer(server, label, {
        hosts: Array.from({ length: tenants }, (_, n) => `bench-${n}.localhost:${server.port}`),
        method: 'POST',
        path: '/things',
        headers: { 'content-type': 'application/json' },
        body: (index) => JSON.stringify({ type: 'BenchItem', data: { name: `item ${index}`, price: 12.5, tags: ['bench', 'http'], note: 'n'.repeat(80) } }),
        concurrency: CONCURRENCY,
        warmupMs,
        durationMs,
      });
      log(`${tenants} tenant(s), ${label}: ${Math.round(result.perSecond)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms`);
      return result;
    };

    const rows: BenchRow[] = [];
    for (const tenants of [1, 50]) {
      const results = { ours: [] as LoadResult[], baseline: [] as LoadResult[] };
      for (let round = 0; round < rounds; round++) {
        results.ours.push(await measure(ours, 'ours', tenants));
        results.baseline.push(await measure(baseline, 'baseline', tenants));
      }
      rows.push(httpRow(tenants, results.ours, results.baseline, durationMs));
    }
    return { rows };
  } finally {
    for (const server of servers) {
      await server.stop();
      removeStateDir(server.persistDir);
    }
  }
}

/** Rate: the median over the rounds. Latency percentiles: over the requests of all rounds together. */
function httpRow(tenants: number, ours: readonly LoadResult[], baseline: readonly LoadResult[], durationMs: number): BenchRow {
  const rate = (results: readonly LoadResult[]) => significant(median(results.map((result) => result.perSecond)));
  const latency = (results: readonly LoadResult[], p: number) => significant(percentile(results.flatMap((result) => result.latenciesMs), p));
  return compare(
    `HTTP writes per second through wrangler dev, ${tenants} tenant${tenants === 1 ? '' : 's'}, against a Worker forwarding to one INSERT`,
    'req/s',
    rate(ours),
    rate(baseline),
    {
      concurrency: CONCURRENCY,
      rounds: ours.length,
      windowSeconds: durationMs / 1000,
      oursRequests: ours.reduce((total, result) => total + result.requests, 0),
      baselineRequests: baseline.reduce((total, result) => total + result.requests, 0),
      oursP50Ms: latency(ours, 50),
      oursP99Ms: latency(ours, 99),
      baselineP50Ms: latency(baseline, 50),
      baselineP99Ms: latency(baseline, 99),
    },
  );
}
