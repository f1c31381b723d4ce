import { createEdgeApp } from './edge/app';
import { edgeRouteRegistrars } from './edge/routes';
import type { Env } from './env';

export { OverrideIndexDO } from './limits/override-index';
export { MetricsAggregatorDO } from './observability/aggregator-do';
export { CatalogDO } from './pipeline/catalog-do';
export { TenantDO } from './tenant/tenant-do';

const app = createEdgeApp(edgeRouteRegistrars);

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
