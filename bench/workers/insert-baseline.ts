import { DurableObject } from 'cloudflare:workers';

interface BaselineEnv {
  BASELINE: DurableObjectNamespace<InsertOnceDO>;
}

/** Minimal write in a Durable Object: reads the body and INSERTs it as one row. */
export class InsertOnceDO extends DurableObject<BaselineEnv> {
  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
  }

  override async fetch(request: Request): Promise<Response> {
    const body = await request.text();
    const id = crypto.randomUUID();
    this.ctx.storage.sql.exec(`INSERT INTO rows (id, body) VALUES (?, ?)`, id, body);
    return Response.json({ id }, { status: 201 });
  }
}

/**
 * Baseline Worker of the HTTP write benchmark: takes the tenant from the first
 * label of `Host` and forwards the request unchanged to that tenant's object.
 * It has no validation, routing table, logging or error mapping.
 */
export default {
  async fetch(request, env) {
    const host = request.headers.get('host') ?? '';
    const tenant = host.split('.', 1)[0] || 'default';
    if (request.method !== 'POST') return new Response('ok');
    return await env.BASELINE.get(env.BASELINE.idFromName(tenant)).fetch(request);
  },
} satisfies ExportedHandler<BaselineEnv>;
