import { Agent, request as httpRequest } from 'node:http';

import { MAX_REQUESTS_PER_WINDOW } from '../src/limits/rate-limit-config';
import type { DevServer } from '../test/e2e/harness/wrangler-dev';
import { percentile } from './statistics';

export interface LoadOptions {
  /** Port on 127.0.0.1. */
  port: number;
  /** `Host` header of each request, taken round-robin, so one entry per tenant. */
  hosts: readonly string[];
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Body of request number `index` (counted from 0 across warm-up and measurement). */
  body(index: number): string;
  /** Requests in flight at any time, each on its own keep-alive connection. */
  concurrency: number;
  /** Load applied before measuring, after one request per host. */
  warmupMs: number;
  /** Length of the measured window. */
  durationMs: number;
}

export interface LoadResult {
  /** Requests that got a 2xx response inside the measured window. */
  requests: number;
  /** Requests that got another status or no response. */
  failures: number;
  firstFailure: string | null;
  /** From the first request sent to the last response received, in ms. */
  elapsedMs: number;
  /** Successful requests per second over `elapsedMs`. */
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Latency of every successful request of the window, in completion order, in ms. */
  latenciesMs: number[];
}

/**
 * Applies a closed-loop load: `concurrency` workers each send a request, wait
 * for the whole response and send the next, until the window ends. Latency is
 * measured per request from send to the last body byte.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const counter = { next: 0 };
  try {
    for (const host of options.hosts) await send(agent, options, host, counter.next++);
    await drive(agent, options, options.warmupMs, counter);
    return await drive(agent, options, options.durationMs, counter);
  } finally {
    agent.destroy();
  }
}

/**
 * `wrangler dev` vars for load on the project Worker: no request log lines, the
 * largest rate limit and the enterprise plan, so that the rate limiter and the
 * quotas run on every request but never refuse the load being measured.
 */
export const LOAD_TEST_VARS = { LOG_REQUESTS: 'false', RATE_LIMIT_REQUESTS: String(MAX_REQUESTS_PER_WINDOW), DEFAULT_PLAN: 'enterprise' };

/** Runs `runLoad` against `server` and throws, with the end of the server's output, when any request failed. */
export async function loadDevServer(server: DevServer, label: string, options: Omit<LoadOptions, 'port'>): Promise<LoadResult> {
  const result = await runLoad({ ...options, port: server.port });
  if (result.failures > 0) {
    throw new Error(
      `bench: ${result.failures} of ${result.requests + result.failures} requests to ${label} failed, the first with: ${result.firstFailure}\n${server.output().slice(-2000)}`,
    );
  }
  return result;
}

async function drive(agent: Agent, options: LoadOptions, durationMs: number, counter: { next: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const started = performance.now();
  const deadline = started + durationMs;
  let lastResponse = started;

  const worker = async () => {
    while (performance.now() < deadline) {
      const index = counter.next++;
      const host = options.hosts[index % options.hosts.length]!;
      const sent = performance.now();
      try {
        const status = await send(agent, options, host, index);
        lastResponse = performance.now();
        if (status >= 200 && status < 300) {
          latencies.push(lastResponse - sent);
        } else {
          failures += 1;
          firstFailure ??= `${options.method} ${options.path} for ${host} returned ${status}`;
        }
      } catch (error) {
        failures += 1;
        firstFailure ??= `${options.method} ${options.path} for ${host} failed: ${String(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  const elapsedMs = lastResponse - started;
  return {
    requests: latencies.length,
    failures,
    firstFailure,
    elapsedMs,
    perSecond: elapsedMs > 0 ? latencies.length / (elapsedMs / 1000) : 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
    latenciesMs: latencies,
  };
}

/** Sends one request and resolves with its status once the body has been read. */
function send(agent: Agent, options: LoadOptions, host: string, index: number): Promise<number> {
  const body = Buffer.from(options.body(index));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: options.port,
        method: options.method,
        path: options.path,
        headers: { ...options.headers, host, 'content-length': String(body.length) },
        timeout: 30_000,
      },
      (incoming) => {
        incoming.on('data', () => {});
        incoming.on('end', () => resolve(incoming.statusCode ?? 0));
        incoming.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${options.method} ${options.path} for ${host} timed out after 30 s`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
