import { afterAll, beforeAll } from 'vitest';

import { type DevServer, type DevServerOptions, removeStateDir, startDevServer } from './wrangler-dev';

/**
 * Starts one `wrangler dev` before the tests of the calling file and stops it
 * after them, removing its persist dir unless `options.persistDir` was given.
 * Returns a `DevServer` that forwards to the running server, so tests can hold
 * it in a module constant.
 */
export function useDevServer(options: DevServerOptions = {}): DevServer {
  let running: DevServer | undefined;
  const current = (): DevServer => {
    if (!running) throw new Error('useDevServer: the server is not running. Call it from a test or hook of this file.');
    return running;
  };

  beforeAll(async () => {
    running = await startDevServer(options);
  });
  afterAll(async () => {
    if (!running) return;
    await running.stop();
    if (options.persistDir === undefined) removeStateDir(running.persistDir);
  });

  return {
    get port() {
      return current().port;
    },
    get inspectorPort() {
      return current().inspectorPort;
    },
    get persistDir() {
      return current().persistDir;
    },
    output: () => current().output(),
    request: (tenant, path, init) => current().request(tenant, path, init),
    stop: () => current().stop(),
    kill: () => current().kill(),
    restart: () => current().restart(),
  };
}
