/**
 * Headers the edge Worker sets on requests it forwards to a tenant's Durable Object.
 * The edge deletes any client-sent header with this prefix first, and Durable
 * Objects have no public route, so the object can trust them.
 */
export const INTERNAL_HEADER_PREFIX = 'x-tenantlog-';
export const TENANT_HEADER = 'x-tenantlog-tenant';
export const ACTOR_HEADER = 'x-tenantlog-actor';
export const ADMIN_HEADER = 'x-tenantlog-admin';
/** Request id, echoed to the client under the same name. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Removes every header with the internal prefix, so a client cannot forge them. */
export function stripInternalHeaders(headers: Headers): void {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (name.toLowerCase().startsWith(INTERNAL_HEADER_PREFIX)) names.push(name);
  });
  for (const name of names) headers.delete(name);
}
