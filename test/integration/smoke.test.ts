import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('creates and reads a thing through the Worker', async () => {
  const created = await SELF.fetch('http://smoke.localhost/things', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'x', type: 'T' }),
  });
  expect(created.status).toBe(201);
  const read = await SELF.fetch('http://smoke.localhost/things/x');
  expect(read.status).toBe(200);
  expect(read.headers.get('x-tenant-id')).toBe('smoke');
});
