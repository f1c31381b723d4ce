import { TenantlogError } from '../../src/errors';

/** Runs `action` and returns the TenantlogError it throws; fails the test when it throws nothing or something else. */
export function errorOf(action: () => unknown): TenantlogError {
  try {
    action();
  } catch (error) {
    if (error instanceof TenantlogError) return error;
    throw error;
  }
  throw new Error('expected a TenantlogError, but nothing was thrown');
}

/** Awaits `action` and returns the TenantlogError it rejects with, like `errorOf`. */
export async function asyncErrorOf(action: () => Promise<unknown>): Promise<TenantlogError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof TenantlogError) return error;
    throw error;
  }
  throw new Error('expected a TenantlogError, but nothing was thrown');
}
