import { readRateLimitOverrides } from '../../projections/rate-limits';
import { errorFields, log } from '../observability/log';
import type { TenantPluginContext } from '../tenant/plugin';
import { OVERRIDE_INDEX_NAME } from './override-index';

/** Alarm task that retries a failed push to the override index. */
export const OVERRIDE_INDEX_TASK = 'rate-limit-override-index';

/** Delay before a failed push to the override index is retried, in ms. */
const INDEX_RETRY_MS = 5_000;

type IndexContext = Pick<TenantPluginContext, 'env' | 'store' | 'clock' | 'scheduler'>;

/**
 * Pushes the tenant's current overrides, expired ones included, to the override
 * index. The push carries the log seq it was read at, so a delayed push cannot
 * overwrite a newer one. Throws when the index cannot be reached.
 */
export async function pushOverridesToIndex(context: IndexContext, tenant: string): Promise<void> {
  const version = context.store.log.readHead(tenant).seq;
  const overrides = readRateLimitOverrides(context.store.sql);
  const index = context.env.OVERRIDE_INDEX.get(context.env.OVERRIDE_INDEX.idFromName(OVERRIDE_INDEX_NAME));
  await index.sync(tenant, version, overrides);
}

/**
 * Pushes after an override changed. A failure does not fail the admin request,
 * whose event is already committed: it is logged and `OVERRIDE_INDEX_TASK`
 * retries from the object's alarm until the push succeeds.
 */
export async function updateOverrideIndex(context: IndexContext, tenant: string): Promise<void> {
  try {
    await pushOverridesToIndex(context, tenant);
  } catch (error) {
    log('warn', 'override index push failed; retrying from the alarm', { tenant, retryInMs: INDEX_RETRY_MS, ...errorFields(error) });
    await context.scheduler.schedule(OVERRIDE_INDEX_TASK, context.clock.now() + INDEX_RETRY_MS);
  }
}
