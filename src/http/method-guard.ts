import type { Env, Hono, Schema } from 'hono';

import { TenantlogError } from '../errors';

/**
 * Answers 405 with an `Allow` header for a known path requested with a method it
 * does not serve. Call after every route is registered: it reads `app.routes` and
 * adds a catch-all per path, which only matches once the real routes did not.
 */
export function guardMethods<E extends Env, S extends Schema>(app: Hono<E, S>): void {
  const allowed = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.endsWith('*')) continue;
    const methods = allowed.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    allowed.set(route.path, methods);
  }
  for (const [path, methods] of allowed) rejectOtherMethods(app, path, methods);
}

/**
 * Registers a 405 response with an `Allow` header listing `methods` for any other method on
 * `path`. Register it after the routes of `path`, so it only matches once they did not.
 */
export function rejectOtherMethods<E extends Env, S extends Schema>(app: Hono<E, S>, path: string, methods: Iterable<string>): void {
  const allow = [...methods].sort().join(', ');
  app.all(path, (c) => {
    throw new TenantlogError('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${path}; use ${allow}`, {
      headers: { allow },
    });
  });
}
