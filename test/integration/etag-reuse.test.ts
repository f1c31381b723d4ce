import { describe, expect, it } from 'vitest';

import { call, createThing, sendJson, uniqueTenant } from './helpers';

describe('If-Match across a delete and re-create', () => {
  // The ETag is the version. If a re-created thing started again at version 1, a
  // client holding "1" from the deleted thing would overwrite data it never read;
  // versions therefore continue across a delete and re-create.
  it('rejects the ETag of the deleted thing', async () => {
    const tenant = uniqueTenant('etag-reuse');
    await createThing(tenant, { id: 'doc', type: 'Doc', data: { owner: 'alice' } });
    const read = await call(tenant, '/things/doc');
    const staleEtag = read.headers.get('etag')!;
    expect(staleEtag).toBe('"1"');

    expect((await call(tenant, '/things/doc', { method: 'DELETE' })).status).toBe(204);
    await createThing(tenant, { id: 'doc', type: 'Doc', data: { owner: 'bob' } });

    const stale = await sendJson(tenant, 'PATCH', '/things/doc', { data: { owner: 'mallory' } }, { 'if-match': staleEtag });
    expect(stale.status).toBe(409);
    const current = await (await call(tenant, '/things/doc')).json<{ data: { owner: string } }>();
    expect(current.data.owner).toBe('bob');
  });
});
