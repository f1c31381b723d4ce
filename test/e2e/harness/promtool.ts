import { spawnSync } from 'node:child_process';

/**
 * Absolute path of a Prometheus tool (`promtool`, `prometheus`). Throws with the
 * install command when it is missing: CI installs Debian's `prometheus` package,
 * so a missing tool is a broken setup, not a reason to skip.
 */
export function requirePrometheusTool(name: 'promtool' | 'prometheus'): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(`${name} is not installed: run "apt-get install -y prometheus" (Debian's package; .ci/run installs it when missing)`);
  }
  return path;
}

/** Runs `promtool` with `args` and optional standard input; returns its exit code and output. */
export function runPromtool(args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(requirePrometheusTool('promtool'), args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
