import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';

const projectRoot = resolve(import.meta.dirname, '..', '..', '..');
const wranglerBin = join(projectRoot, 'node_modules', '.bin', 'wrangler');

/** Local admin token set in wrangler.toml for development. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

export interface DevServerOptions {
  /** Folder for local Durable Object and R2 state; a fresh temporary one by default. */
  persistDir?: string;
  /** Extra `--var` bindings, such as `{ FLUSH_INTERVAL_MS: '500' }`. */
  vars?: Record<string, string>;
  /** Wrangler configuration file; the project's wrangler.toml by default. */
  configPath?: string;
  /** Most ms to wait for the server to answer. */
  startTimeoutMs?: number;
}

/** A running `wrangler dev` bound to 127.0.0.1 on a free port. */
export interface DevServer {
  /** Port of the current process; `restart` picks a new one. */
  readonly port: number;
  /** Port of wrangler's inspector proxy (V8 inspector of the Worker's isolate) for the current process. */
  readonly inspectorPort: number;
  readonly persistDir: string;
  /** Output of every process started so far (one per `restart`), for failure messages. */
  output(): string;
  /**
   * Sends a request as if to `http://<tenant>.localhost:<port><path>`: it connects
   * to 127.0.0.1 and sets `Host`. A null tenant uses the bare `localhost` host (the
   * default tenant).
   */
  request(tenant: string | null, path: string, init?: HostRequestInit): Promise<Response>;
  /** Stops the server with SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** Kills the server and its workerd child at once with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /**
   * Stops the server if it still runs (SIGTERM, as `stop`) and starts a new
   * `wrangler dev` on the same persist dir and options, on a new free port, then
   * waits until it responds. After `kill`, this is how a test resumes from a crash.
   */
  restart(): Promise<void>;
}

export interface HostRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Most ms to wait for the response headers. */
  timeoutMs?: number;
}

/**
 * Sends one HTTP request to 127.0.0.1:`port` with the given `Host` header and
 * returns it as a fetch `Response`. Node's global fetch drops a caller's `Host`
 * header, so this uses node:http.
 */
export function requestWithHost(port: number, host: string, path: string, init: HostRequestInit = {}): Promise<Response> {
  return new Promise((resolveResponse, reject) => {
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.from(init.body);
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: { ...init.headers, host, ...(body ? { 'content-length': String(body.length) } : {}) },
        timeout: init.timeoutMs ?? 30_000,
      },
      (incoming) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (Array.isArray(value)) for (const item of value) headers.append(name, item);
          else if (value !== undefined) headers.set(name, value);
        }
        const status = incoming.statusCode ?? 0;
        const hasBody = status !== 204 && status !== 304 && init.method !== 'HEAD';
        const stream = hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null;
        if (!hasBody) incoming.resume();
        resolveResponse(new Response(stream, { status, statusText: incoming.statusMessage ?? '', headers }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`request to ${host}${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('freePort: no port assigned'));
      });
    });
  });
}

/** Creates a temporary folder for local state; remove it with `removeStateDir`. */
export function createStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'tenantlog-e2e-'));
}

export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** One `wrangler dev` process and the promise that settles when it exits. */
interface DevProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly inspectorPort: number;
  readonly exited: Promise<void>;
}

/**
 * Starts `wrangler dev` on a free loopback port and waits until it answers.
 * The process runs in its own process group so `kill` also ends workerd.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const persistDir = options.persistDir ?? createStateDir();
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  let current = await launch(options, persistDir, collect);

  const request = (tenant: string | null, path: string, init: HostRequestInit = {}) =>
    requestWithHost(current.port, tenant === null ? `localhost:${current.port}` : `${tenant}.localhost:${current.port}`, path, init);
  const stop = async () => {
    await signalGroup(current, 'SIGTERM', 5_000);
    await signalGroup(current, 'SIGKILL', 5_000);
  };

  const server: DevServer = {
    get port() {
      return current.port;
    },
    get inspectorPort() {
      return current.inspectorPort;
    },
    persistDir,
    output: () => output,
    request,
    stop,
    kill: async () => {
      await signalGroup(current, 'SIGKILL', 5_000);
    },
    restart: async () => {
      await stop();
      output += '\n--- restart ---\n';
      current = await launch(options, persistDir, collect);
      await waitUntilAnswering(current, request, () => output, options.startTimeoutMs);
    },
  };

  await waitUntilAnswering(current, request, () => output, options.startTimeoutMs);
  return server;
}

async function launch(options: DevServerOptions, persistDir: string, collect: (chunk: Buffer) => void): Promise<DevProcess> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    'dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--inspector-port', String(inspectorPort),
    '--inspector-ip', '127.0.0.1',
    '--persist-to', persistDir,
    '--show-interactive-dev-session=false',
    '--log-level', 'warn',
    ...(options.configPath ? ['--config', options.configPath] : []),
  ];
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push('--var', `${name}:${value}`);

  const child = spawn(wranglerBin, args, {
    cwd: projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return { child, port, inspectorPort, exited };
}

/** Polls `GET /health` of the default tenant until it returns a status below 500, and kills the process on timeout. */
async function waitUntilAnswering(
  devProcess: DevProcess,
  request: DevServer['request'],
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (devProcess.child.exitCode !== null) {
      throw new Error(`wrangler dev exited with code ${devProcess.child.exitCode} before answering:\n${output()}`);
    }
    try {
      const response = await request(null, '/health', { timeoutMs: 2_000 });
      await response.body?.cancel();
      if (response.status < 500) return;
    } catch {
      // Not listening yet; retried below until the deadline.
    }
    if (Date.now() > deadline) {
      await signalGroup(devProcess, 'SIGKILL', 5_000);
      throw new Error(`wrangler dev did not answer on port ${devProcess.port} within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

async function signalGroup({ child, exited }: DevProcess, signal: NodeJS.Signals, waitMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
    return;
  }
  await Promise.race([exited, new Promise((wait) => setTimeout(wait, waitMs))]);
}
