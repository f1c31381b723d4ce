import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';

/** One result line of `npm run bench`; `ratio` is ours / baseline. */
export interface BenchRow {
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  ratio: number;
}

/** Writes per measured round and concurrent clients; sized for a 2-core machine. */
const WRITES_PER_ROUND = 300;
const CONCURRENCY = 8;
const ROUNDS = 3;
const WARMUP_WRITES = 50;

/**
 * Overhead of the tenant plugins on the write path: requests per second of
 * `POST /things` with the plugins on (metrics, cost attribution, request metering,
 * and every other registered plugin such as the rate limiter) against the same
 * Worker started with `GUARDRAILS=off`. Both servers run in the same process
 * tree at the same time and rounds alternate between them, so machine load
 * affects both alike. The target ratio is at least 0.9.
 */
export async function run(): Promise<BenchRow[]> {
  const vars = { LOG_REQUESTS: 'false' };
  const on = await startDevServer({ vars });
  let off: DevServer | undefined;
  try {
    off = await startDevServer({ vars: { ...vars, GUARDRAILS: 'off' } });
    await assertGuardrails(on, true);
    await assertGuardrails(off, false);

    await writeBurst(on, 'warm', WARMUP_WRITES);
    await writeBurst(off, 'warm', WARMUP_WRITES);
    const onRates: number[] = [];
    const offRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      onRates.push(await writeBurst(on, `r${round}`, WRITES_PER_ROUND));
      offRates.push(await writeBurst(off, `r${round}`, WRITES_PER_ROUND));
    }

    const ours = median(onRates);
    const baseline = median(offRates);
    return [{ name: 'write path with plugins on vs GUARDRAILS=off', unit: 'req/s', ours: round1(ours), baseline: round1(baseline), ratio: Math.round((ours / baseline) * 1000) / 1000 }];
  } finally {
    for (const server of [on, off]) {
      if (!server) continue;
      await server.stop();
      removeStateDir(server.persistDir);
    }
  }
}

/** Sends `count` creates to one tenant from `CONCURRENCY` clients; returns requests per second. */
async function writeBurst(server: DevServer, prefix: string, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const response = await server.request('bench', '/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `${prefix}-${index}`, type: 'Order', data: { total: index, currency: 'EUR' } }),
      });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`POST /things returned ${response.status}\n${server.output().slice(-2000)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return count / ((performance.now() - started) / 1000);
}

/** Checks the switch took effect: `GET /metrics` exists only with the plugins on. */
async function assertGuardrails(server: DevServer, expected: boolean): Promise<void> {
  const response = await server.request('bench', '/metrics');
  await response.arrayBuffer();
  if ((response.status === 200) !== expected) {
    throw new Error(`GUARDRAILS ${expected ? 'on' : 'off'}: GET /metrics returned ${response.status}`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
