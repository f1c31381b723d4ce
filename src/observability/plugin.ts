import type { TenantPluginFactory } from '../tenant/plugin';
import { createMetricsMiddleware } from './metrics-middleware';
import { registerObservabilityRoutes } from './routes';
import { PUSH_TASK } from './tenant-telemetry';

/**
 * Metrics and cost attribution of a tenant object: measures each request, serves
 * `GET /metrics` and the cost and monitoring admin routes, and pushes metric
 * changes to the aggregator from the alarm.
 */
export const observabilityPlugin: TenantPluginFactory = ({ telemetry, scheduler }) => {
  scheduler.register(PUSH_TASK, async () => {
    await telemetry.push();
    return null;
  });
  return {
    name: 'observability',
    middleware: createMetricsMiddleware(telemetry, scheduler),
    routes: (app) => registerObservabilityRoutes(app, telemetry),
  };
};
