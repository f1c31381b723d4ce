import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { requirePrometheusTool } from './promtool';

export interface PrometheusOptions {
  /** `host:port` of the Worker to scrape. */
  target: string;
  metricsPath: string;
  bearerToken: string;
  /** Free port for Prometheus's own web API on 127.0.0.1. */
  port: number;
  scrapeIntervalSeconds?: number;
  /** Rule files to load, as absolute paths. */
  ruleFiles?: string[];
}

/** A Prometheus server on 127.0.0.1 with a temporary storage folder. */
export interface PrometheusServer {
  /** Runs an instant query and returns its vector result. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Returns the state of the loaded rule groups (`/api/v1/rules`). */
  rules(): Promise<{ name: string; rules: { name: string; health: string; lastError?: string }[] }[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus` binary scraping one target and waits until its
 * API is ready. The web listener and the target are loopback only.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = requirePrometheusTool('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'tenantlog-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      `  evaluation_interval: ${interval}`,
      ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
      'scrape_configs:',
      '  - job_name: tenantlog',
      `    metrics_path: ${options.metricsPath}`,
      '    authorization:',
      '      type: Bearer',
      `      credentials: ${options.bearerToken}`,
      '    static_configs:',
      `      - targets: ['${options.target}']`,
      '',
    ].join('\n'),
  );

  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${options.port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((wait) => setTimeout(wait, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const server: PrometheusServer = {
    output: () => output,
    stop,
    async query(promql) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error ?? response.status}`);
      return body.data!.result;
    },
    async rules() {
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
      return body.data.groups;
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${base}/-/ready`)).ok) return server;
    } catch {
      // Not listening yet; retried below until the deadline.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready on port ${options.port}:\n${output}`);
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
}
