// Imported first so parquet-wasm is instantiated while the module loads, before
// any request, as it must be in a cold isolate.
import '../../../pipelines/parquet/parquet-wasm-workerd';

import { DurableObject } from 'cloudflare:workers';

import type { EventEnvelope } from '../../../events/envelope';
import { verifyChain } from '../../../events/hash';
import { UuidV7Generator } from '../../../events/uuidv7';
import { parquetWasmMemoryBytes, readEventRowGroups, writeEventDataFiles } from '../../../pipelines/parquet';
import { EventLog } from '../../../src/tenant/event-log';
import type { FlushReport } from './flush-report';

/**
 * A stand-in for the TenantDO flush: events appended by the real EventLog into
 * Durable Object SQLite, then written as Parquet to R2 from the alarm handler and
 * read back from R2 in the same isolate.
 */
interface Env {
  FLUSHER: DurableObjectNamespace<ParquetFlushProbe>;
  BUCKET: R2Bucket;
}

const TENANT = 'e2e-flush';
const TABLE = 'tenantlog/events';
const wasmMemoryBytesAtModuleLoad = parquetWasmMemoryBytes();

export class ParquetFlushProbe extends DurableObject<Env> {
  private readonly log: EventLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new EventLog(ctx.storage.sql, new UuidV7Generator());
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/append') {
      return Response.json(this.append(Number(url.searchParams.get('count')), Number(url.searchParams.get('start')), Number(url.searchParams.get('step'))));
    }
    if (request.method === 'POST' && url.pathname === '/flush') {
      await this.ctx.storage.setAlarm(Date.now());
      return new Response(null, { status: 202 });
    }
    if (url.pathname === '/reports') {
      return Response.json((await this.ctx.storage.get<FlushReport[]>('reports')) ?? []);
    }
    return new Response('not found', { status: 404 });
  }

  /** Appends `count` events `step` ms apart with no actor, causation or idempotency key. */
  private append(count: number, start: number, step: number): { lastSeq: number } {
    let head = this.log.readHead(TENANT);
    this.ctx.storage.transactionSync(() => {
      for (let i = 0; i < count; i++) {
        const drafts = [{ type: 'thing.created', payload: { id: `thing-${head.seq + 1}`, type: 'Widget', data: { n: i, note: 'ünïcödé ✓' } } }];
        const context = { actor: null, correlationId: `req-${head.seq + 1}`, idempotencyKey: null, now: start + i * step };
        head = this.log.append(head, drafts, context).head;
      }
    });
    this.log.commitHead(head);
    return { lastSeq: head.seq };
  }

  override async alarm(): Promise<void> {
    const reports = (await this.ctx.storage.get<FlushReport[]>('reports')) ?? [];
    const flushedSeq = (await this.ctx.storage.get<number>('flushedSeq')) ?? 0;
    const report: FlushReport = { flushedSeq, files: [], readBackMatches: false, wasmMemoryBytes: 0, error: null };
    try {
      const events = this.log.readAfter(TENANT, flushedSeq, 1_000_000, false);

      for (const file of writeEventDataFiles(events, { table: TABLE })) {
        await this.env.BUCKET.put(file.key, file.bytes);
        report.files.push({
          key: file.key,
          recordCount: file.recordCount,
          fileSizeBytes: file.fileSizeBytes,
          firstSeq: file.firstSeq,
          lastSeq: file.lastSeq,
          occurredAtDay: file.partition.occurredAtDay,
        });
      }

      const readBack: EventEnvelope[] = [];
      for (const file of report.files) {
        const object = await this.env.BUCKET.get(file.key);
        if (!object) throw new Error(`R2 object ${file.key} is missing after its put`);
        for await (const group of readEventRowGroups(await object.blob())) readBack.push(...group);
      }
      const chain = verifyChain(readBack, flushedSeq, events[0]?.prevHash ?? '');
      report.readBackMatches = JSON.stringify(readBack) === JSON.stringify(events) && chain.ok;
      report.flushedSeq = events.at(-1)?.seq ?? flushedSeq;
      await this.ctx.storage.put('flushedSeq', report.flushedSeq);
    } catch (error) {
      report.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    report.wasmMemoryBytes = parquetWasmMemoryBytes();
    reports.push(report);
    await this.ctx.storage.put('reports', reports);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return Response.json({ wasmMemoryBytesAtModuleLoad });
    if (url.pathname === '/object') {
      const object = await env.BUCKET.get(url.searchParams.get('key') ?? '');
      return object ? new Response(object.body) : new Response('not found', { status: 404 });
    }
    return env.FLUSHER.get(env.FLUSHER.idFromName(TENANT)).fetch(request);
  },
} satisfies ExportedHandler<Env>;
