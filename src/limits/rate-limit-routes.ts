import type { Hono } from 'hono';

import { UuidV7Generator } from '../../events/uuidv7';
import { readRateLimitOverride, readRateLimitOverrides } from '../../projections/rate-limits';
import { TenantlogError } from '../errors';
import { readJsonBody } from '../http/body';
import type { TenantAppEnv, TenantContext } from '../tenant/api/context';
import { parseWith, requireObject } from '../tenant/api/inputs';
import { jsonResponse, runWrite } from '../tenant/api/write';
import type { TenantPluginContext } from '../tenant/plugin';
import type { LimitsDefaults } from './limits-env';
import { updateOverrideIndex } from './override-index-client';
import { isOverrideActive, MAX_REASON_LENGTH, parseOverrideRequest } from './overrides';
import { rateLimitSettings } from './rate-limit-config';
import { overrideView, readRateLimitState } from './rate-limit-state';
import type { RateLimiter } from './rate-limiter';

export interface RateLimitRouteDependencies {
  context: TenantPluginContext;
  limiter: RateLimiter;
  readDefaults(): LimitsDefaults;
}

const overrideIds = new UuidV7Generator();

/**
 * Admin routes of one tenant's rate limits, reached through the edge as
 * `/admin/tenants/:tenant/rate-limit` and `/admin/tenants/:tenant/overrides`.
 */
export function registerRateLimitRoutes(app: Hono<TenantAppEnv>, dependencies: RateLimitRouteDependencies): void {
  const { context, limiter, readDefaults } = dependencies;

  /** Builds the status body: the effective config, the overrides in force and the window's usage. */
  const status = (c: TenantContext) => {
    const now = context.clock.now();
    const tenant = c.var.info.tenant;
    const defaults = readDefaults();
    const state = readRateLimitState(context.store.sql, defaults.rateLimit, now);
    const usage = limiter.usage(state.config, state.limits, now);
    const exemptBecause = defaults.adminTenants.has(tenant)
      ? 'admin-tenant'
      : state.effect.kind === 'bypass'
        ? 'bypass-override'
        : null;
    return {
      tenant,
      config: state.config,
      settings: state.settings,
      override: state.effect.kind === 'none' ? null : { effect: state.effect.kind, ...overrideView(tenant, state.effect.override, now) },
      overrides: state.activeOverrides.map((override) => overrideView(tenant, override, now)),
      exemptBecause,
      ...usage,
      windowResetsAt: new Date(usage.windowResetsAt).toISOString(),
    };
  };

  app.get('/admin/rate-limit', (c) => c.json(status(c)));

  app.put('/admin/rate-limit', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'PUT /admin/rate-limit');
    const settings = parseWith(rateLimitSettings, body, 'rate-limit settings');
    return runWrite(c, body, (tx) => {
      tx.emit([{ type: 'ratelimit.configured', payload: { settings } }]);
      return jsonResponse(200, status(c));
    });
  });

  app.get('/admin/overrides', (c) => {
    const now = context.clock.now();
    const items = readRateLimitOverrides(context.store.sql)
      .filter((override) => isOverrideActive(override, now))
      .map((override) => overrideView(c.var.info.tenant, override, now));
    return c.json({ items, count: items.length });
  });

  app.post('/admin/overrides', async (c) => {
    const body = requireObject(await readJsonBody(c.req.raw), 'POST /admin/overrides');
    const tenant = c.var.info.tenant;
    const response = runWrite(c, body, (tx) => {
      const fields = parseOverrideRequest(body, tx.now);
      const id = overrideIds.next(tx.now);
      tx.emit([{ type: 'ratelimit.override.set', payload: { id, ...fields } }]);
      const override = readRateLimitOverride(tx.sql, id)!;
      return jsonResponse(201, overrideView(tenant, override, tx.now), { location: `/admin/tenants/${tenant}/overrides/${id}` });
    });
    await updateOverrideIndex(context, tenant);
    return response;
  });

  app.delete('/admin/overrides/:id', async (c) => {
    const id = c.req.param('id');
    const reason = c.req.query('reason')?.trim() || null;
    if (reason !== null && reason.length > MAX_REASON_LENGTH) {
      throw new TenantlogError('VALIDATION_FAILED', `query parameter reason is ${reason.length} characters; the maximum is ${MAX_REASON_LENGTH}`);
    }
    const tenant = c.var.info.tenant;
    const response = runWrite(c, undefined, (tx) => {
      const override = readRateLimitOverride(tx.sql, id);
      if (!override) {
        throw new TenantlogError('NOT_FOUND', `override ${JSON.stringify(id)} of tenant ${tenant} not found; it may have been lifted already`, {
          details: { id },
        });
      }
      tx.emit([{ type: 'ratelimit.override.lifted', payload: { id, reason } }]);
      // The view describes the override after this write, which ends it.
      return jsonResponse(200, { lifted: { ...overrideView(tenant, override, tx.now), active: false }, reason });
    });
    await updateOverrideIndex(context, tenant);
    return response;
  });
}
