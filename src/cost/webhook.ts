import { errorFields, log } from '../observability/log';

/** Maximum wait for a webhook response, in ms. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs `payload` as JSON to `url`. Never throws: a failure or a non-2xx status
 * is logged with the tenant and the URL's origin (not its path, which may carry a
 * token). Run it in `ctx.waitUntil` so the request that crossed the threshold
 * does not wait for it.
 */
export async function sendWebhook(url: string, payload: Record<string, unknown>, tenant: string): Promise<void> {
  let origin = '(invalid URL)';
  try {
    origin = new URL(url).origin;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) log('warn', 'cost alert webhook failed', { tenant, origin, status: response.status });
  } catch (error) {
    log('warn', 'cost alert webhook failed', { tenant, origin, ...errorFields(error) });
  }
}
