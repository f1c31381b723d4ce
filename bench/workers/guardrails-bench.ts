import type { Env } from '../../src/env';
import { REQUEST_ID_HEADER, TENANT_HEADER } from '../../src/http/internal-headers';
import { createRateLimitPlugin } from '../../src/limits/rate-limit-plugin';
import { observabilityPlugin } from '../../src/observability/plugin';
import type { TenantPluginFactory } from '../../src/tenant/plugin';
import { tenantPluginFactories } from '../../src/tenant/plugins';
import { TenantDO } from '../../src/tenant/tenant-do';
import { GUARDRAILS_BENCH_TENANT, isGuardrailsStage, MAX_BENCH_REQUESTS, type RequestCensus } from './guardrails-bench-protocol';
import { guardrailsStages } from './guardrails-stages';

export { OverrideIndexDO } from '../../src/limits/override-index';
export { MetricsAggregatorDO } from '../../src/observability/aggregator-do';
export { CatalogDO } from '../../src/pipeline/catalog-do';
export { TenantDO };

/**
 * Storage calls of one object, counted by a wrapper around `ctx.storage`: each
 * SQL statement by its text, and the alarm calls by name.
 */
class StorageCensus {
  statements = new Map<string, number>();
  alarmCalls = new Map<string, number>();
  logLines = 0;

  reset(): void {
    this.statements.clear();
    this.alarmCalls.clear();
    this.logLines = 0;
  }

  /**
   * Makes `storage` count every statement and alarm call before running it. The
   * methods are replaced on the objects themselves, because workerd accepts only
   * its own `DurableObjectState` in the object's constructor, not a proxy of it.
   */
  instrument(storage: DurableObjectStorage): void {
    const census = this;
    const sql = storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      const text = query.replace(/\s+/g, ' ').trim();
      census.statements.set(text, (census.statements.get(text) ?? 0) + 1);
      return exec(query, ...bindings);
    }) as SqlStorage['exec'];
    for (const name of ['getAlarm', 'setAlarm', 'deleteAlarm'] as const) {
      const method = (storage[name] as (...args: unknown[]) => unknown).bind(storage);
      (storage as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        census.alarmCalls.set(name, (census.alarmCalls.get(name) ?? 0) + 1);
        return method(...args);
      };
    }
  }

  report(requests: number): RequestCensus {
    const statements = [...this.statements].map(([text, count]) => ({ text, perRequest: count / requests })).sort((a, b) => b.perRequest - a.perRequest);
    const alarmCalls = Object.fromEntries([...this.alarmCalls].map(([name, count]) => [name, count / requests]));
    return { requests, statements, alarmCalls, logLinesPerRequest: this.logLines / requests };
  }
}

/**
 * A TenantDO with one bench route, `POST /bench/requests?count=N&start=S`, which
 * sends N requests `POST /things` through the object's own `fetch`, one after the
 * other, as the edge forwards them: the tenant app with its plugin middleware,
 * the write, and the response body read to the end. It returns once all N are
 * done; time inside workerd does not advance during the loop, so the Node driver
 * times the whole request from outside. With `census=1` it also returns the
 * storage calls and log lines of those requests per request.
 */
class RequestBenchDO extends TenantDO {
  private readonly census: StorageCensus | null;

  constructor(ctx: DurableObjectState, env: Env, options: { guardrails: boolean; census: boolean; plugins?: readonly TenantPluginFactory[] }) {
    const census = options.census ? new StorageCensus() : null;
    census?.instrument(ctx.storage);
    const list = tenantPluginFactories as TenantPluginFactory[];
    const all = [...list];
    // The bench adds one plugin at a time: the constructor reads the list, which is restored right after it.
    if (options.plugins) list.splice(0, list.length, ...options.plugins);
    try {
      super(ctx, options.guardrails ? env : { ...env, GUARDRAILS: 'off' });
    } finally {
      list.splice(0, list.length, ...all);
    }
    this.census = census;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/bench/')) return await super.fetch(request);
    const count = readInteger(url, 'count', MAX_BENCH_REQUESTS);
    const start = readInteger(url, 'start', Number.MAX_SAFE_INTEGER);
    if (url.pathname.startsWith('/bench/stage/')) {
      const stage = url.pathname.slice('/bench/stage/'.length);
      if (!isGuardrailsStage(stage)) return Response.json({ error: { code: 'NOT_FOUND', message: `no bench stage ${stage}` } }, { status: 404 });
      await guardrailsStages[stage]({ telemetry: this.telemetry, storage: this.ctx.storage }, count);
      return Response.json({ count });
    }

    this.census?.reset();
    const restoreConsole = this.census ? countLogLines(this.census) : () => {};
    try {
      for (let index = start; index < start + count; index++) {
        const body = JSON.stringify({ type: 'Order', data: { total: index, currency: 'EUR' } });
        const response = await super.fetch(
          new Request('https://tenant.internal/things', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': String(body.length),
              [TENANT_HEADER]: GUARDRAILS_BENCH_TENANT,
              [REQUEST_ID_HEADER]: `bench-${index}`,
            },
            body,
          }),
        );
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`bench: POST /things returned ${response.status}`);
      }
    } finally {
      restoreConsole();
    }
    return Response.json({ count, census: this.census?.report(count) ?? null });
  }
}

/** Counts the lines written through `console` until the returned function restores it. */
function countLogLines(census: StorageCensus): () => void {
  const original = { log: console.log, warn: console.warn, error: console.error };
  for (const name of ['log', 'warn', 'error'] as const) {
    console[name] = (...args: unknown[]) => {
      census.logLines += 1;
      original[name](...args);
    };
  }
  return () => Object.assign(console, original);
}

export class GuardedBenchDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: true, census: false });
  }
}

export class BareBenchDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: false, census: false });
  }
}

export class GuardedCensusDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: true, census: true });
  }
}

export class BareCensusDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: false, census: true });
  }
}

/** Request metering on, no plugin. */
export class MeteredBenchDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: true, census: false, plugins: [] });
  }
}

/** Request metering and the observability plugin. */
export class ObservedBenchDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: true, census: false, plugins: [observabilityPlugin] });
  }
}

/** Request metering, the observability and the rate-limit plugins. */
export class RateLimitedBenchDO extends RequestBenchDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { guardrails: true, census: false, plugins: [observabilityPlugin, createRateLimitPlugin] });
  }
}

function readInteger(url: URL, name: string, max: number): number {
  const value = Number(url.searchParams.get(name) ?? '0');
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`bench: ${name} must be an integer in 0..${max}, got ${url.searchParams.get(name)}`);
  }
  return value;
}

const namespaces = {
  guarded: 'GUARDED',
  bare: 'BARE',
  'guarded-census': 'GUARDED_CENSUS',
  'bare-census': 'BARE_CENSUS',
  metered: 'METERED',
  observed: 'OBSERVED',
  'rate-limited': 'RATE_LIMITED',
} as const;

type BenchEnv = Env & Record<(typeof namespaces)[keyof typeof namespaces], DurableObjectNamespace<RequestBenchDO>>;

/** Routes `/<kind>/<object>/bench/...` to the object named `<object>` of a kind in `namespaces`. */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    // The dev-server harness polls /health until the Worker responds.
    if (url.pathname === '/health') return new Response('ok');
    const [, kind, objectName, ...rest] = url.pathname.split('/');
    const binding = kind !== undefined && kind in namespaces ? namespaces[kind as keyof typeof namespaces] : undefined;
    if (binding === undefined || !objectName) {
      return new Response('bench: name a kind and an object, as in /guarded/a/bench/requests?count=100', { status: 404 });
    }
    const namespace = env[binding];
    const stub = namespace.get(namespace.idFromName(objectName));
    return await stub.fetch(`https://bench.internal/${rest.join('/')}${url.search}`, { method: request.method });
  },
} satisfies ExportedHandler<BenchEnv>;
