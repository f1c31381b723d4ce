import { createExecutionContext, env } from 'cloudflare:test';
import { afterEach, expect, it, vi } from 'vitest';

import { createEdgeApp } from '../../src/edge/app';
import { edgeRouteRegistrars } from '../../src/edge/routes';

afterEach(() => {
  vi.restoreAllMocks();
});

it('writes one JSON line per request without secrets', async () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  const app = createEdgeApp(edgeRouteRegistrars);

  const response = await app.fetch(
    new Request('http://logs.localhost/things?token=query-secret', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer header-secret', 'x-request-id': 'req-42' },
      body: JSON.stringify({ id: 'a', type: 'T', password: 'body-secret' }),
    }),
    { ...env, LOG_REQUESTS: 'true' },
    createExecutionContext(),
  );
  expect(response.status).toBe(201);

  const requestLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'request');
  expect(requestLines).toHaveLength(1);
  const line = requestLines[0]!;
  expect(Object.keys(line).sort()).toEqual(['durationMs', 'level', 'message', 'method', 'path', 'requestId', 'status', 'tenant', 'time']);
  expect(line).toMatchObject({ level: 'info', tenant: 'logs', method: 'POST', path: '/things', status: 201, requestId: 'req-42' });
  expect(typeof line.durationMs).toBe('number');
  expect(lines.join('\n')).not.toMatch(/secret/);
});
