import type { Hono } from 'hono';

import { UuidV7Generator } from '../../../events/uuidv7';
import { listThings, readThing } from '../../../projections/things';
import { TenantlogError } from '../../errors';
import { readJsonBody } from '../../http/body';
import { createThing, deleteThing, updateThing } from '../commands/thing-commands';
import type { TenantAppEnv } from '../api/context';
import {
  decodeCursor,
  encodeCursor,
  parseEntityId,
  parseIfMatch,
  parseIntegerParam,
  parseThingInput,
  requireObject,
} from '../api/inputs';
import { thingEtag, thingView } from '../api/views';
import { jsonResponse, runWrite } from '../api/write';

/** Default and maximum page sizes of list endpoints. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const generatedIds = new UuidV7Generator();

export function registerThingRoutes(app: Hono<TenantAppEnv>): void {
  app.post('/things', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'POST /things');
    const input = parseThingInput(body);
    if (input.type === undefined) {
      throw new TenantlogError('VALIDATION_FAILED', 'invalid thing: type (or $type) is required');
    }
    const type = input.type;
    return runWrite(c, body, (tx) => {
      const thing = createThing(tx, { id: input.id ?? generatedIds.next(tx.now), type, data: input.data });
      return jsonResponse(201, thingView(thing), {
        etag: thingEtag(thing.version),
        location: `/things/${encodeURIComponent(thing.id)}`,
      });
    });
  });

  app.get('/things', (c) => {
    const typeParam = c.req.query('type');
    const type = typeParam === undefined || typeParam === '' || typeParam === '*' ? null : typeParam;
    const limit = parseIntegerParam(c.req.query('limit'), 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const page = listThings(c.var.services.store.sql, type, decodeCursor(c.req.query('cursor')), limit);
    return c.json({ items: page.items.map(thingView), count: page.count, cursor: encodeCursor(page.nextAfterId) });
  });

  app.get('/things/:id', (c) => {
    const id = parseEntityId(c.req.param('id'), 'thing id');
    const thing = readThing(c.var.services.store.sql, id);
    if (!thing) throw new TenantlogError('NOT_FOUND', `thing ${JSON.stringify(id)} not found`, { details: { id } });
    c.header('etag', thingEtag(thing.version));
    return c.json(thingView(thing));
  });

  for (const method of ['patch', 'put'] as const) {
    app[method]('/things/:id', async (c) => {
      const id = parseEntityId(c.req.param('id'), 'thing id');
      const expectedVersion = parseIfMatch(c.req.header('if-match'));
      const body = requireObject(await readJsonBody(c.req.raw), `${method.toUpperCase()} /things/:id`);
      const input = parseThingInput(body);
      if (input.id !== undefined && input.id !== id) {
        throw new TenantlogError('VALIDATION_FAILED', `body id ${JSON.stringify(input.id)} differs from the path id ${JSON.stringify(id)}`);
      }
      if (method === 'put' && !input.hasData) {
        throw new TenantlogError('VALIDATION_FAILED', 'PUT /things/:id replaces data, so the body needs data or data fields');
      }
      return runWrite(c, body, (tx) => {
        const thing = updateThing(tx, {
          id,
          mode: method === 'patch' ? 'merge' : 'replace',
          type: input.type,
          data: input.hasData ? input.data : undefined,
          expectedVersion,
        });
        return jsonResponse(200, thingView(thing), { etag: thingEtag(thing.version) });
      });
    });
  }

  app.delete('/things/:id', (c) => {
    const id = parseEntityId(c.req.param('id'), 'thing id');
    const expectedVersion = parseIfMatch(c.req.header('if-match'));
    return runWrite(c, undefined, (tx) => {
      deleteThing(tx, { id, expectedVersion });
      return jsonResponse(204, null);
    });
  });
}
