import type { EventTypeEntry } from './definition';
import { monitoringEventTypes } from './monitoring';
import { rateLimitEventTypes } from './rate-limits';
import { relationshipEventTypes } from './relationships';
import { tenantEventTypes } from './tenant';
import { thingEventTypes } from './things';

/** Every event type the log may hold. A new type is added to one module and listed here. */
export const eventTypeDefinitions: readonly EventTypeEntry[] = [
  ...thingEventTypes,
  ...relationshipEventTypes,
  ...rateLimitEventTypes,
  ...tenantEventTypes,
  ...monitoringEventTypes,
];
