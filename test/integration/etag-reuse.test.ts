import { describe, expect, it } from 'vitest';

import { call, createThing, sendJson, uniqueTenant } from './helpers';

describe('If-Match across a delete and re-create', () => {
  // Defect in the ETag scheme (src/tenant/api/views.ts thingEtag and the version
  // check in src/tenant/commands/thing-commands.ts): the ETag is the version alone,
  // and a re-created thing starts again at version 1. A client that read the old
  // thing holds `"1"`, which then matches the new thing, so its update overwrites
  // data it never saw. The ETag needs something that differs per incarnation,
  // such as the seq of the creating event.
  it.fails('rejects the ETag of the deleted thing', async () => {
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
