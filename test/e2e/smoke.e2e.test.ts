import { expect, it } from 'vitest';

import { useDevServer } from './harness/use-dev-server';

const server = useDevServer();

it('serves a write and a read under wrangler dev', async () => {
  const created = await server.request('smoke', '/things', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'x', type: 'T' }),
  });
  expect(created.status, server.output()).toBe(201);
  const read = await server.request('smoke', '/things/x');
  expect(read.headers.get('x-tenant-id')).toBe('smoke');
});
