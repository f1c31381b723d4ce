import type { MiddlewareHandler } from 'hono';

import { rateLimitsProjection } from '../../projections/rate-limits';
import { TenantlogError } from '../errors';
import { log } from '../observability/log';
import type { TenantAppEnv } from '../tenant/api/context';
import type { TenantPlugin, TenantPluginContext } from '../tenant/plugin';
import { type LimitsDefaults, readLimitsDefaults } from './limits-env';
import { OVERRIDE_INDEX_TASK, pushOverridesToIndex } from './override-index-client';
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';
import { registerRateLimitRoutes } from './rate-limit-routes';
import { RateLimitStateCache, readStoredRateLimits, type StoredRateLimits } from './rate-limit-state';
import { RateLimiter, type RateLimitHeadline, requestKind } from './rate-limiter';

/**
 * Per-tenant rate limiting. The middleware runs before any route reads the body
 * or writes, so a limited request gets its 429 having changed nothing. Window
 * counters live in this object's memory, so a restart of the object starts empty
 * windows. Settings and overrides are projections of the log and survive it.
 *
 * Not limited: requests to admin routes (which need the admin token), tenants
 * listed in `RATE_LIMIT_ADMIN_TENANTS` and tenants with an active bypass override.
 * Their requests are not counted, but their responses still carry the headers.
 */
export function createRateLimitPlugin(context: TenantPluginContext): TenantPlugin {
  const limiter = new RateLimiter();
  let defaults: LimitsDefaults | null = null;
  const readDefaults = () => (defaults ??= readLimitsDefaults(context.env));
  // The projection's rows change only when an event it handles commits, so they are read once until then.
  let stored: StoredRateLimits | null = null;
  const states = new RateLimitStateCache();
  context.store.onCommit((events) => {
    if (events.some((event) => rateLimitsProjection.handles.has(event.type))) stored = null;
  });

  context.scheduler.register(OVERRIDE_INDEX_TASK, async () => {
    const tenant = context.tenant();
    if (tenant !== null) await pushOverridesToIndex(context, tenant);
    return null;
  });

  const middleware: MiddlewareHandler<TenantAppEnv> = async (c, next) => {
    const { info } = c.var;
    const now = context.clock.now();
    const { rateLimit, adminTenants } = readDefaults();
    stored ??= readStoredRateLimits(context.store.sql);
    const state = states.stateAt(stored, rateLimit, now);
    const kind = requestKind(c.req.method);
    const tenantLabels = { tenant: info.tenant };

    let headline: RateLimitHeadline;
    if (info.admin || adminTenants.has(info.tenant) || state.effect.kind === 'bypass') {
      headline = limiter.peek(kind, state.config, state.limits, now);
    } else {
      const decision = limiter.consume(kind, state.config, state.limits, now);
      if (!decision.allowed) {
        context.metrics.increment('rate_limited_requests_total', { ...tenantLabels, scope: decision.rejectedBy });
        // The override's reason stays with operators: it may describe a security incident.
        const block = state.effect.kind === 'block' ? state.effect.override : null;
        const blocked = block !== null;
        const limit = state.limits[decision.rejectedBy]!;
        const retrySeconds = retryAfterSeconds(state, decision.retryAt, now);
        const message = blocked
          ? blockMessage(info.tenant, block.expiresAt)
          : `rate limit of ${limit} ${scopeNoun(decision.rejectedBy)} per ${state.config.windowMs} ms exceeded; retry after ${retrySeconds} s`;
        throw new TenantlogError('RATE_LIMITED', message, {
          details: {
            scope: decision.rejectedBy,
            limit,
            windowMs: state.config.windowMs,
            retryAfterSeconds: retrySeconds,
            ...(blocked ? { blocked: true } : {}),
          },
          headers: { ...rateLimitHeaders(decision.headline, state, now), 'retry-after': String(retrySeconds) },
        });
      }
      for (const warning of decision.warnings) {
        context.metrics.increment('rate_limit_warnings_total', { ...tenantLabels, scope: warning.scope });
        log('warn', 'rate limit warning threshold crossed', {
          tenant: info.tenant,
          scope: warning.scope,
          used: warning.used,
          limit: warning.limit,
          warningThreshold: state.config.warningThreshold,
          windowMs: state.config.windowMs,
          requestId: info.requestId,
        });
      }
      headline = decision.headline;
    }

    context.metrics.set('rate_limit_total', tenantLabels, state.limits.total);
    context.metrics.set('rate_limit_remaining', tenantLabels, limiter.remainingTotal(state.config, state.limits, now));

    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(headline, state, now))) c.res.headers.set(name, value);
  };

  return {
    name: 'rate-limit',
    middleware,
    routes: (app) => registerRateLimitRoutes(app, { context, limiter, readDefaults }),
  };
}

/** No wait lifts a block without expiry, so the message names no retry time for it. */
function blockMessage(tenant: string, expiresAt: number | null): string {
  const until = expiresAt === null ? 'until an operator lifts it' : `until an operator lifts it or it expires at ${new Date(expiresAt).toISOString()}`;
  return `tenant ${tenant} is blocked by an operator override; every request is rejected ${until}`;
}

function scopeNoun(scope: 'total' | 'read' | 'write'): string {
  return scope === 'total' ? 'requests' : `${scope}s`;
}
