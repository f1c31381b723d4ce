import type { Hono } from 'hono';

import { UuidV7Generator } from '../../../events/uuidv7';
import { listRelationships, readRelationship } from '../../../projections/relationships';
import { TenantlogError } from '../../errors';
import { readJsonBody } from '../../http/body';
import { createRelationship, deleteRelationship } from '../commands/relationship-commands';
import type { TenantAppEnv } from '../api/context';
import {
  decodeCursor,
  encodeCursor,
  parseEntityId,
  parseIntegerParam,
  parseRelationshipInput,
  requireObject,
} from '../api/inputs';
import { relationshipView } from '../api/views';
import { jsonResponse, runWrite } from '../api/write';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './things';

const generatedIds = new UuidV7Generator();

function optionalFilter(value: string | undefined): string | null {
  return value === undefined || value === '' || value === '*' ? null : value;
}

export function registerRelationshipRoutes(app: Hono<TenantAppEnv>): void {
  app.post('/relationships', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'POST /relationships');
    const input = parseRelationshipInput(body);
    return runWrite(c, body, (tx) => {
      const relationship = createRelationship(tx, { ...input, id: input.id ?? generatedIds.next(tx.now) });
      return jsonResponse(201, relationshipView(relationship), {
        location: `/relationships/${encodeURIComponent(relationship.id)}`,
      });
    });
  });

  app.get('/relationships', (c) => {
    const limit = parseIntegerParam(c.req.query('limit'), 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const page = listRelationships(
      c.var.services.store.sql,
      {
        from: optionalFilter(c.req.query('from')),
        to: optionalFilter(c.req.query('to')),
        type: optionalFilter(c.req.query('type') ?? c.req.query('verb')),
      },
      decodeCursor(c.req.query('cursor')),
      limit,
    );
    return c.json({ items: page.items.map(relationshipView), count: page.count, cursor: encodeCursor(page.nextAfterId) });
  });

  app.get('/relationships/:id', (c) => {
    const id = parseEntityId(c.req.param('id'), 'relationship id');
    const relationship = readRelationship(c.var.services.store.sql, id);
    if (!relationship) {
      throw new TenantlogError('NOT_FOUND', `relationship ${JSON.stringify(id)} not found`, { details: { id } });
    }
    return c.json(relationshipView(relationship));
  });

  app.delete('/relationships/:id', (c) => {
    const id = parseEntityId(c.req.param('id'), 'relationship id');
    return runWrite(c, undefined, (tx) => {
      deleteRelationship(tx, id);
      return jsonResponse(204, null);
    });
  });
}
