import { expect, it } from 'vitest';

import type { EventEnvelope } from '../../events/envelope';
import { verifyChain } from '../../events/hash';
import { jsonRequest } from './harness/json-client';
import { useDevServer } from './harness/use-dev-server';

// One persist dir for the file. The test kills the server with SIGKILL and restarts it on that dir.
const server = useDevServer();
const tenant = 'crash-test';

it('keeps acknowledged writes across a SIGKILL', async () => {
  for (const id of ['one', 'two', 'three']) {
    const created = await jsonRequest(server, tenant, 'POST', '/things', {
      json: { id, type: 'Durable' },
      headers: { 'idempotency-key': `create-${id}` },
    });
    expect(created.status).toBe(201);
  }
  const portBefore = server.port;

  await server.kill();
  await server.restart();

  expect(server.port).not.toBe(portBefore);
  const stats = await jsonRequest(server, tenant, 'GET', '/stats');
  expect(stats.body).toMatchObject({ thingCount: 3, eventCount: 3 });
});

it('continues the hash chain after the restart', async () => {
  const created = await jsonRequest(server, tenant, 'POST', '/things', { json: { id: 'four', type: 'Durable' } });
  expect(created.status).toBe(201);
  expect(created.body.seq).toBe(4);

  const events = await jsonRequest(server, tenant, 'GET', '/events?after=0');
  expect(verifyChain(events.body.items as EventEnvelope[])).toMatchObject({ ok: true, lastSeq: 4 });
});

it('replays a stored Idempotency-Key after the restart', async () => {
  const replay = await jsonRequest(server, tenant, 'POST', '/things', {
    json: { id: 'two', type: 'Durable' },
    headers: { 'idempotency-key': 'create-two' },
  });
  expect(replay.status).toBe(201);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(replay.body.seq).toBe(2);
});

it('logs no code-generation errors across both processes', () => {
  expect(server.output()).toContain('--- restart ---');
  expect(server.output()).not.toMatch(/EvalError|Code generation from strings disallowed/);
});
