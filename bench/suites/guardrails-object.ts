import { resolve } from 'node:path';

import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { median, significant } from '../statistics';
import { type BenchRow, comparePaired } from '../suite';
import { cpuNanoseconds } from '../workerd-cpu';
import { findWorkerRuntimePid } from '../workerd-memory';
import { type GuardrailsStage, guardrailsStageNames, type RequestCensus } from '../workers/guardrails-bench-protocol';

const config = resolve(import.meta.dirname, '..', 'wrangler.guardrails-bench.toml');

/**
 * Objects of the bench Worker, each adding one part of the plugins to the one
 * before: none (`GUARDRAILS=off`), the request meter, the observability plugin,
 * the rate-limit plugin, the quota plugin (all plugins, as deployed).
 */
const layers = [
  { kind: 'bare', label: 'none (`GUARDRAILS=off`)' },
  { kind: 'metered', label: 'request meter (metered storage view)' },
  { kind: 'observed', label: 'observability plugin (metrics, cost, async scope per request)' },
  { kind: 'rate-limited', label: 'rate-limit plugin' },
  { kind: 'guarded', label: 'quota plugin (all plugins on)' },
] as const;
type LayerKind = (typeof layers)[number]['kind'];

export interface ObjectMeasurement {
  row: BenchRow;
  notes: string;
}

/** Settings of one in-object measurement. */
export interface ObjectBenchOptions {
  requestsPerWindow: number;
  rounds: number;
  /** Calls per step in the step table. */
  stageCalls: number;
  log(line: string): void;
}

/**
 * Times `POST /things` inside one tenant object for each layer of plugins, in
 * paired rounds whose order alternates, and counts the statements per request
 * with and without the plugins. Returns the row of all plugins against none and
 * the notes with the per-layer costs, the statements and the step times.
 */
export async function measureInObject(options: ObjectBenchOptions): Promise<ObjectMeasurement> {
  const server = await startDevServer({ configPath: config });
  try {
    const pid = findWorkerRuntimePid(server.port);
    const census = { guarded: await takeCensus(server, 'guarded-census'), bare: await takeCensus(server, 'bare-census') };

    let start = 0;
    for (const { kind } of layers) await timeRequests(server, pid, kind, options.requestsPerWindow, start);
    start += options.requestsPerWindow;
    const wallMicros = new Map<LayerKind, number[]>(layers.map(({ kind }) => [kind, []]));
    const cpuMicros = new Map<LayerKind, number[]>(layers.map(({ kind }) => [kind, []]));
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? layers : [...layers].reverse();
      for (const { kind } of order) {
        const timing = await timeRequests(server, pid, kind, options.requestsPerWindow, start);
        wallMicros.get(kind)!.push(timing.wallMicros);
        cpuMicros.get(kind)!.push(timing.cpuMicros);
      }
      start += options.requestsPerWindow;
      options.log(`in object, round ${round + 1}/${options.rounds}: ${layers.map(({ kind }) => `${kind} ${Math.round(wallMicros.get(kind)!.at(-1)!)} µs`).join(', ')}`);
    }
    const stages = await timeStages(server, options.stageCalls);

    const rates = (kind: LayerKind) => wallMicros.get(kind)!.map((micros) => 1e6 / micros);
    const cpu = (kind: LayerKind) => cpuMicros.get(kind)!;
    const cpuRatios = cpu('guarded').map((micros, round) => cpu('bare')[round]! / micros);
    const row = comparePaired(
      'POST /things inside one tenant object with the tenant plugins on, against GUARDRAILS=off',
      'req/s',
      rates('guarded'),
      rates('bare'),
      {
        requestsPerWindow: options.requestsPerWindow,
        oursCpuMicrosPerRequest: significant(median(cpu('guarded'))),
        baselineCpuMicrosPerRequest: significant(median(cpu('bare'))),
        cpuRatio: significant(median(cpuRatios)),
      },
    );
    return { row, notes: describeObjectCosts(cpuMicros, census, stages) };
  } finally {
    await server.stop();
    removeStateDir(server.persistDir);
  }
}

/** Sends one bench request of `count` requests and returns the wall and workerd CPU time per request, in µs. */
async function timeRequests(server: DevServer, pid: number, kind: LayerKind, count: number, start: number): Promise<{ wallMicros: number; cpuMicros: number }> {
  const cpuBefore = cpuNanoseconds(pid);
  const started = performance.now();
  await benchRequest(server, `/${kind}/window/bench/requests?count=${count}&start=${start}`);
  const wallMs = performance.now() - started;
  return { wallMicros: (wallMs * 1000) / count, cpuMicros: (cpuNanoseconds(pid) - cpuBefore) / 1000 / count };
}

/** Counts the statements of 200 requests after 20 that create the schema and the first rows. */
async function takeCensus(server: DevServer, kind: 'guarded-census' | 'bare-census'): Promise<RequestCensus> {
  await benchRequest(server, `/${kind}/census/bench/requests?count=20&start=0`);
  const body = (await benchRequest(server, `/${kind}/census/bench/requests?count=200&start=20`)) as { census: RequestCensus };
  return body.census;
}

/** Runs each step `calls` times alone, 5 times over, and returns the median µs per call. */
async function timeStages(server: DevServer, calls: number): Promise<Map<GuardrailsStage, number>> {
  await benchRequest(server, '/guarded/stages/bench/requests?count=20&start=0');
  const samples = new Map<GuardrailsStage, number[]>(guardrailsStageNames.map((stage) => [stage, []]));
  for (let repetition = 0; repetition < 5; repetition++) {
    for (const stage of guardrailsStageNames) {
      const started = performance.now();
      await benchRequest(server, `/guarded/stages/bench/stage/${stage}?count=${calls}`);
      samples.get(stage)!.push(((performance.now() - started) * 1000) / calls);
    }
  }
  return new Map([...samples].map(([stage, micros]) => [stage, median(micros)]));
}

async function benchRequest(server: DevServer, path: string): Promise<unknown> {
  const response = await server.request(null, path, { method: 'POST', timeoutMs: 600_000 });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`bench ${path}: POST returned ${response.status}: ${text.slice(0, 300)}\n${server.output().slice(-2000)}`);
  return JSON.parse(text);
}

const stageLabels: Record<GuardrailsStage, string> = {
  await: 'an awaited async function, the least an extra middleware layer costs',
  scope: "the request meter's async scope (`AsyncLocalStorage.run`)",
  response: 'a JSON response as a route builds it (for scale)',
  responseCopy: 'the same response read back and rebuilt, which the metrics middleware does only for a body without `Content-Length`',
  record: 'recording the request in the metrics and cost totals, with the upsert of the totals',
  databaseSize: '`sql.databaseSize`, sampled for the storage cost at most once per second',
  apiCallUpsert: "the quota's upsert of the month's API call count",
  storageBytes: "the quota guard's read of the stored bytes",
};

/** Markdown: the per-request cost of each layer, the statements with and without plugins, and the step times. */
function describeObjectCosts(cpuMicros: Map<LayerKind, number[]>, census: { guarded: RequestCensus; bare: RequestCensus }, stages: Map<GuardrailsStage, number>): string {
  const lines = [
    'Per-request cost of each part of the plugins inside the object: the median over the rounds of the difference in workerd CPU time',
    'between the object with that part and the object before it (each round runs all five objects back to back).',
    '',
    '| part added | CPU µs per request |',
    '| --- | ---: |',
  ];
  for (let index = 1; index < layers.length; index++) {
    const current = cpuMicros.get(layers[index]!.kind)!;
    const previous = cpuMicros.get(layers[index - 1]!.kind)!;
    lines.push(`| ${layers[index]!.label} | ${significant(median(current.map((micros, round) => micros - previous[round]!)))} |`);
  }
  const all = cpuMicros.get('guarded')!;
  const bare = cpuMicros.get('bare')!;
  lines.push(`| all plugins against none | ${significant(median(all.map((micros, round) => micros - bare[round]!)))} |`, '');

  const bareTexts = new Set(census.bare.statements.map(({ text }) => text));
  const extra = census.guarded.statements.filter(({ text }) => !bareTexts.has(text));
  const count = (of: RequestCensus) => of.statements.reduce((sum, { perRequest }) => sum + perRequest, 0);
  lines.push(
    `SQL statements per \`POST /things\`, counted over ${census.guarded.requests} requests: ${significant(count(census.guarded))} with the plugins, ${significant(count(census.bare))} without.`,
    'The plugins add:',
    '',
    ...extra.map(({ text, perRequest }) => `- ${perRequest} × \`${text}\``),
    '',
    `Alarm calls per request with the plugins: ${formatAlarmCalls(census.guarded)}; log lines per request: ${census.guarded.logLinesPerRequest}.`,
    'The metrics push to the aggregator (one RPC) and the scheduling of the next one run from the alarm at most once per push interval, not per request.',
    '',
    'Steps of the plugins timed alone inside the object, µs per call (median of 5):',
    '',
    '| step | µs |',
    '| --- | ---: |',
    ...guardrailsStageNames.map((stage) => `| ${stageLabels[stage]} | ${significant(stages.get(stage)!)} |`),
  );
  return lines.join('\n');
}

function formatAlarmCalls(census: RequestCensus): string {
  const calls = Object.entries(census.alarmCalls);
  return calls.length === 0 ? 'none' : calls.map(([name, perRequest]) => `${name} ${perRequest}`).join(', ');
}
