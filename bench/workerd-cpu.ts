/**
 * CPU time of a process, read from Linux's /proc. Unlike wall time it does not
 * count the time other processes hold the cores, so it moves less with their
 * load, though caches and shared cores still slow it. Only Linux is supported.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Returns the CPU time all threads of `pid` have run so far, in nanoseconds: the
 * first field of each thread's /proc/<pid>/task/<tid>/schedstat. A thread that
 * exits between two reads takes its time with it, so compare reads of a process
 * whose threads live as long as it does, such as workerd.
 */
export function cpuNanoseconds(pid: number): number {
  let total = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ', 1)[0]);
    } catch {
      // The thread exited after the listing.
    }
  }
  return total;
}
