import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { LOAD_TEST_VARS, loadDevServer } from '../load-generator';
import { median, significant } from '../statistics';
import { type BenchSuite, comparePaired, type SuiteContext, type SuiteResult } from '../suite';
import { cpuNanoseconds } from '../workerd-cpu';
import { findWorkerRuntimePid } from '../workerd-memory';
import { measureInObject } from './guardrails-object';

const CONCURRENCY = 8;
const ROUNDS = 24;
const WINDOW_MS = 1_000;
const WARMUP_MS = 300;
const OBJECT_ROUNDS = 20;
const OBJECT_REQUESTS_PER_WINDOW = 1_000;

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
    `The load generator keeps ${CONCURRENCY} requests in flight against one tenant, each a \`POST /things\` of a small order whose id the server assigns.`,
    `The two servers take turns for ${ROUNDS} rounds. In each round each server gets ${WARMUP_MS} ms of warm-up load and then a ${WINDOW_MS / 1000} s window,`,
    'and the one that goes first alternates from round to round. Rate is successful requests per second in a window.',
    "The row's ratio is the median over the rounds of each round's own ratio (ours / baseline of its two adjacent windows):",
    'a change of machine load that lasts longer than a round moves both windows of that round and cancels out, while it moves',
    '`ours` and `baseline`, the medians of all windows of each server, apart. The ratio of those two medians is in the details',
    '(`ratioOfMedians`), with the middle half of the round ratios (`roundRatioP25` to `roundRatioP75`).',
    'The details also give the CPU time of each server\'s workerd runtime process per request (from /proc schedstat, warm-up excluded),',
    'which leaves out the time other processes hold the cores.',
    '',
    'A second row measures the plugins inside one tenant object, without HTTP, the edge Worker or the load generator:',
    'a bench-only Worker (`bench/workers/guardrails-bench.ts`, `bench/wrangler.guardrails-bench.toml`) sends',
    `${OBJECT_REQUESTS_PER_WINDOW.toLocaleString('en-US')} \`POST /things\` through the object's own \`fetch\` per window, one after the other,`,
    'in an object with all plugins, one with `GUARDRAILS=off` and three with only some of them, the five taking turns in each of',
    `${OBJECT_ROUNDS} rounds. Node times each window from outside, because time inside workerd does not advance during the loop.`,
    'The pipeline flush is turned off in that Worker, as it is the same with and without plugins and would land in random windows.',
  ].join('\n'),
  run: runGuardrails,
};

async function runGuardrails({ log, quick }: SuiteContext): Promise<SuiteResult> {
  const rounds = quick ? 2 : ROUNDS;
  const servers: DevServer[] = [];
  let httpRow;
  try {
    const on = await startDevServer({ vars: LOAD_TEST_VARS });
    servers.push(on);
    const off = await startDevServer({ vars: { ...LOAD_TEST_VARS, GUARDRAILS: 'off' } });
    servers.push(off);
    await assertGuardrails(on, true);
    await assertGuardrails(off, false);
    const pids = { on: findWorkerRuntimePid(on.port), off: findWorkerRuntimePid(off.port) };

    const measure = async (server: DevServer, pid: number, label: string) => {
      const load = {
        hosts: [`bench.localhost:${server.port}`],
        method: 'POST',
        path: '/things',
        headers: { 'content-type': 'application/json' },
        body: (index: number) => JSON.stringify({ type: 'Order', data: { total: index, currency: 'EUR' } }),
        concurrency: CONCURRENCY,
        warmupMs: 0,
      };
      await loadDevServer(server, label, { ...load, durationMs: WARMUP_MS });
      const cpuBefore = cpuNanoseconds(pid);
      const result = await loadDevServer(server, label, { ...load, durationMs: WINDOW_MS });
      const cpuMicrosPerRequest = (cpuNanoseconds(pid) - cpuBefore) / 1000 / result.requests;
      return { perSecond: result.perSecond, cpuMicrosPerRequest };
    };

    const results = { on: [] as { perSecond: number; cpuMicrosPerRequest: number }[], off: [] as { perSecond: number; cpuMicrosPerRequest: number }[] };
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        results.on.push(await measure(on, pids.on, 'plugins on'));
        results.off.push(await measure(off, pids.off, 'GUARDRAILS=off'));
      } else {
        results.off.push(await measure(off, pids.off, 'GUARDRAILS=off'));
        results.on.push(await measure(on, pids.on, 'plugins on'));
      }
      const [ours, baseline] = [results.on.at(-1)!, results.off.at(-1)!];
      log(
        `round ${round + 1}/${rounds}: plugins on ${Math.round(ours.perSecond)} req/s (${Math.round(ours.cpuMicrosPerRequest)} µs CPU per request), ` +
          `GUARDRAILS=off ${Math.round(baseline.perSecond)} req/s (${Math.round(baseline.cpuMicrosPerRequest)} µs), ratio ${significant(ours.perSecond / baseline.perSecond)}`,
      );
    }
    const rates = (of: typeof results.on) => of.map((result) => result.perSecond);
    const cpu = (of: typeof results.on) => of.map((result) => result.cpuMicrosPerRequest);
    httpRow = comparePaired(
      'HTTP writes per second through wrangler dev with the tenant plugins on, against GUARDRAILS=off',
      'req/s',
      rates(results.on),
      rates(results.off),
      {
        concurrency: CONCURRENCY,
        windowSeconds: WINDOW_MS / 1000,
        oursMin: significant(Math.min(...rates(results.on))),
        oursMax: significant(Math.max(...rates(results.on))),
        baselineMin: significant(Math.min(...rates(results.off))),
        baselineMax: significant(Math.max(...rates(results.off))),
        oursCpuMicrosPerRequest: significant(median(cpu(results.on))),
        baselineCpuMicrosPerRequest: significant(median(cpu(results.off))),
        cpuRatio: significant(median(cpu(results.on).map((micros, round) => cpu(results.off)[round]! / micros))),
        targetRatio: 0.9,
      },
    );
  } finally {
    for (const server of servers) {
      await server.stop();
      removeStateDir(server.persistDir);
    }
  }

  const inObject = await measureInObject({
    requestsPerWindow: quick ? 100 : OBJECT_REQUESTS_PER_WINDOW,
    rounds: quick ? 2 : OBJECT_ROUNDS,
    stageCalls: quick ? 1_000 : 20_000,
    log,
  });
  const met = httpRow.ratio >= 0.9;
  const targets = [
    `**Tenant plugins, target ≥ 0.9 of GUARDRAILS=off**: ${met ? 'met' : 'not met'}, median of the per-round ratios ${httpRow.ratio}`,
    `(middle half of the rounds from ${httpRow.roundRatioP25} to ${httpRow.roundRatioP75}, ratio of the medians ${httpRow.ratioOfMedians}).`,
    `Per request the server's workerd used ${httpRow.oursCpuMicrosPerRequest} µs of CPU with the plugins and ${httpRow.baselineCpuMicrosPerRequest} µs without (ratio ${httpRow.cpuRatio}).`,
    `Inside one tenant object, without HTTP, the plugins leave ${inObject.row.ratio} of the request rate (CPU ratio ${inObject.row.cpuRatio}).`,
  ].join('\n');
  return { targets, rows: [httpRow, inObject.row], notes: inObject.notes };
}

/** Checks that the switch took effect: `GET /metrics` exists only with the plugins on. */
async function assertGuardrails(server: DevServer, expected: boolean): Promise<void> {
  const response = await server.request('bench', '/metrics');
  await response.arrayBuffer();
  if ((response.status === 200) !== expected) {
    throw new Error(`bench guardrails: with GUARDRAILS ${expected ? 'on' : 'off'}, GET /metrics returned ${response.status}`);
  }
}
