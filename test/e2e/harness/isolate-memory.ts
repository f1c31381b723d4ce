/**
 * Live memory of the isolate that runs the Worker under `wrangler dev`, read
 * through the V8 inspector that wrangler exposes on `--inspector-port`.
 *
 * Local workerd runs every Durable Object of the Worker (tenant objects, the
 * CatalogDO, the metrics aggregator) in this one isolate, so its memory is an
 * upper bound of one tenant object's. Every sample first collects garbage, so it
 * counts live data, not garbage that V8 would reclaim before reaching a heap limit.
 *
 * workerd processes inspector messages only between the isolate's events, and a
 * busy request leaves few such gaps, so a polling sampler captures little of it.
 * `probe` samples inside a request instead: it pauses the isolate with
 * breakpoints on chosen lines of the bundled Worker, samples while paused, and
 * resumes. A sample is exact only while no JavaScript runs, which holds at a
 * pause and while the Worker has no request in progress.
 */
import { WebSocket } from 'undici';

/** One reading of the isolate's memory after a full garbage collection, in bytes. */
export interface IsolateMemorySample {
  /** Live objects on the V8 heap (`Runtime.getHeapUsage` usedSize). */
  heapUsedBytes: number;
  /** Objects of the runtime itself that JavaScript holds, such as streams and requests (embedderHeapUsedSize). */
  embedderBytes: number;
  /** Contents of ArrayBuffers and external strings, which live outside the V8 heap (backingStorageSize). */
  backingStoreBytes: number;
  /** Linear memory of every WebAssembly instance (parquet-wasm's), which only ever grows. */
  wasmBytes: number;
  /** Sum of the above: what the isolate keeps alive. */
  totalBytes: number;
}

/**
 * A line of the Worker's source to pause on. `text` is the line's code as it is
 * written in the source. esbuild prints it into the bundle with the same tokens,
 * except that it may rename an identifier with a numeric suffix and turns single
 * quotes into double ones, which the match allows. The isolate pauses before the
 * line runs, so put the probe on the line after the allocation it should see.
 */
export interface ProbePoint {
  name: string;
  text: string;
}

export interface ProbeOptions {
  /**
   * Samples the 1st, (n+1)th, (2n+1)th... pause at each probe point and resumes the
   * others at once; 1 (every pause) by default. A sample takes a full garbage
   * collection (0.3 to 0.5 s for this Worker's heap of about 30 MB on a shared
   * 2-core machine), so long operations sample a subset.
   */
  sampleEvery?: number;
}

/** Samples taken during one probed operation. */
export interface ProbeResult {
  /** The sample with the largest `totalBytes`, including the ones before and after the operation. */
  peak: IsolateMemorySample;
  /** Where the peak was taken: a probe point's name, `before` or `after`. */
  peakAt: string;
  /** Pauses per probe point. */
  hits: Record<string, number>;
  samples: number;
}

interface ProtocolMessage {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
  method?: string;
  params?: Record<string, unknown>;
}

type EventHandler = (params: Record<string, unknown>) => void;

interface CallFrame {
  location: { scriptId: string; lineNumber: number };
}

/** The Worker bundle that wrangler builds and loads, as the inspector names it. */
const WORKER_BUNDLE_URL = /\/\.wrangler\/tmp\/[^/]+\/index\.js$/;

/** A session with the Worker's isolate through wrangler's inspector proxy. */
export class IsolateInspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: Error): void }>();
  private readonly handlers = new Map<string, EventHandler[]>();
  /** The Worker's execution context; workerd marks none as the default that `Runtime.evaluate` would pick. */
  private contextId: number | null = null;
  private readonly scripts = new Map<string, string>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => this.receive(JSON.parse(String(event.data)) as ProtocolMessage));
    socket.addEventListener('close', () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error('inspector: connection closed'));
      this.pending.clear();
    });
    this.on('Runtime.executionContextCreated', (params) => {
      this.contextId = (params.context as { id: number }).id;
    });
    this.on('Debugger.scriptParsed', (params) => {
      this.scripts.set(String(params.url), String(params.scriptId));
    });
  }

  /**
   * Connects to wrangler's inspector proxy on 127.0.0.1:`port`. The proxy admits one
   * client at a time and rejects a WebSocket upgrade without a local `Origin`.
   */
  static async connect(port: number): Promise<IsolateInspector> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: `http://127.0.0.1:${port}` } });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`inspector: could not connect to 127.0.0.1:${port}`)), { once: true });
    });
    const inspector = new IsolateInspector(socket);
    // `Runtime.enable` reports the execution context, which `Runtime.evaluate` needs.
    await inspector.send('Runtime.enable');
    if (inspector.contextId === null) throw new Error('inspector: the Worker reported no execution context');
    // Wrangler's proxy enables the Network domain whenever it connects to the runtime,
    // which makes the runtime copy every subrequest's response body into an inspector
    // event. Disabled here, it stays off until the runtime restarts.
    await inspector.send('Network.disable');
    return inspector;
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * Collects garbage, then reads the isolate's live memory. `Runtime.queryObjects`
   * runs a full garbage collection before it walks the heap, at once. It serves for
   * that, since V8 runs `HeapProfiler.collectGarbage` as a task that workerd starts
   * only at its next event, seconds later on an idle isolate. The heap usage is
   * read right after it, before JavaScript of the sampler itself allocates.
   */
  async sample(): Promise<IsolateMemorySample> {
    const group = 'isolate-memory';
    try {
      const prototype = await this.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', contextId: this.contextId, objectGroup: group });
      const prototypeId = (prototype.result as { objectId: string }).objectId;
      const memories = await this.send('Runtime.queryObjects', { prototypeObjectId: prototypeId, objectGroup: group });
      const usage = await this.send('Runtime.getHeapUsage');
      const wasm = await this.send('Runtime.callFunctionOn', {
        objectId: (memories.objects as { objectId: string }).objectId,
        functionDeclaration: 'function () { return this.reduce((total, memory) => total + memory.buffer.byteLength, 0); }',
        returnByValue: true,
      });
      const heapUsedBytes = Number(usage.usedSize);
      const embedderBytes = Number(usage.embedderHeapUsedSize ?? 0);
      const backingStoreBytes = Number(usage.backingStorageSize ?? 0);
      const wasmBytes = Number((wasm.result as { value: number }).value);
      return { heapUsedBytes, embedderBytes, backingStoreBytes, wasmBytes, totalBytes: heapUsedBytes + embedderBytes + backingStoreBytes + wasmBytes };
    } finally {
      await this.send('Runtime.releaseObjectGroup', { objectGroup: group });
    }
  }

  /**
   * Runs `operation` (which should send requests to the Worker) while the isolate
   * pauses at every probe point, and samples at those pauses, before and after.
   * Throws when a probe point's text is not exactly one line of the bundle, or
   * when a probe point was never reached, because then the code has changed.
   */
  async probe(points: readonly ProbePoint[], operation: () => Promise<void>, options: ProbeOptions = {}): Promise<ProbeResult> {
    const sampleEvery = options.sampleEvery ?? 1;
    if (!Number.isSafeInteger(sampleEvery) || sampleEvery < 1) throw new RangeError(`sampleEvery must be a positive integer, got ${sampleEvery}`);
    await this.send('Debugger.enable');
    const bundle = [...this.scripts.entries()].find(([url]) => WORKER_BUNDLE_URL.test(url));
    if (bundle === undefined) throw new Error(`inspector: no Worker bundle among ${[...this.scripts.keys()].join(', ')}`);
    const [url, scriptId] = bundle;
    const lines = String((await this.send('Debugger.getScriptSource', { scriptId })).scriptSource).split('\n');

    // 1. One breakpoint per probe point. A pause is identified by the line it stops on,
    // because workerd's V8 (2026-04-26) names the wrong breakpoint in `hitBreakpoints`.
    const pointByLine = new Map<number, string>();
    const breakpoints: string[] = [];
    for (const point of points) {
      const pattern = bundledLinePattern(point.text);
      const found = lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
      if (found.length !== 1) throw new Error(`probe ${point.name}: ${found.length} lines of ${url} read ${JSON.stringify(point.text)}, expected 1`);
      const breakpoint = await this.send('Debugger.setBreakpoint', { location: { scriptId, lineNumber: found[0] } });
      breakpoints.push(String(breakpoint.breakpointId));
      pointByLine.set((breakpoint.actualLocation as CallFrame['location']).lineNumber, point.name);
    }

    // 2. Sample at the chosen pauses, then resume. Pauses come one at a time, because the isolate waits.
    const result: ProbeResult = { peak: await this.sample(), peakAt: 'before', hits: {}, samples: 1 };
    for (const point of points) result.hits[point.name] = 0;
    const record = (sample: IsolateMemorySample, at: string) => {
      result.samples += 1;
      if (sample.totalBytes > result.peak.totalBytes) {
        result.peak = sample;
        result.peakAt = at;
      }
    };
    let pauses = Promise.resolve();
    const onPaused: EventHandler = (params) => {
      const top = (params.callFrames as CallFrame[])[0];
      const name = top?.location.scriptId === scriptId ? pointByLine.get(top.location.lineNumber) : undefined;
      pauses = pauses.then(async () => {
        if (name !== undefined) {
          const hit = (result.hits[name] ?? 0) + 1;
          result.hits[name] = hit;
          if ((hit - 1) % sampleEvery === 0) record(await this.sample(), name);
        }
        await this.send('Debugger.resume');
      });
    };
    this.on('Debugger.paused', onPaused);
    try {
      await operation();
      await pauses;
      record(await this.sample(), 'after');
    } finally {
      this.off('Debugger.paused', onPaused);
      for (const breakpointId of breakpoints) await this.send('Debugger.removeBreakpoint', { breakpointId });
      await this.send('Debugger.disable');
    }

    const missed = points.filter((point) => result.hits[point.name] === 0).map((point) => point.name);
    if (missed.length > 0) throw new Error(`probe points never reached: ${missed.join(', ')}`);
    return result;
  }

  close(): void {
    this.socket.close();
  }

  private on(method: string, handler: EventHandler): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  private off(method: string, handler: EventHandler): void {
    this.handlers.set(method, (this.handlers.get(method) ?? []).filter((registered) => registered !== handler));
  }

  private receive(message: ProtocolMessage): void {
    // Wrangler's proxy copies `method` into some replies (to Network.disable), so a reply is known by its id.
    const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
    if (waiting === undefined) {
      if (message.method !== undefined) for (const handler of this.handlers.get(message.method) ?? []) handler(message.params ?? {});
      return;
    }
    this.pending.delete(message.id!);
    if (message.error) waiting.reject(new Error(`inspector: ${message.error.message}`));
    else waiting.resolve(message.result ?? {});
  }
}

/**
 * Matches a source line as esbuild prints it into the bundle: the same tokens and
 * spacing, identifiers possibly renamed with a numeric suffix (`file` -> `file2`),
 * and strings in either quotes.
 */
function bundledLinePattern(text: string): RegExp {
  const escaped = text
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/'/g, `["']`)
    .replace(/([A-Za-z_$][\w$]*)/g, '$1\\d*');
  return new RegExp(`^\\s*${escaped}\\s*$`);
}
