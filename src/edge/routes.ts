import { registerOverrideIndexRoutes } from '../limits/override-index-routes';
import { registerAdminMetricsRoute } from '../observability/admin-metrics-route';
import { registerCatalogRoutes } from '../pipeline/catalog-routes';
import type { EdgeRouteRegistrar } from './app';

/**
 * Routes the edge Worker serves itself instead of forwarding to the host's tenant
 * object, such as admin routes that span tenants. Registered before the catch-all
 * forward, in this order.
 */
export const edgeRouteRegistrars: readonly EdgeRouteRegistrar[] = [registerOverrideIndexRoutes, registerAdminMetricsRoute, registerCatalogRoutes];
