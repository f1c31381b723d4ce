/**
 * Resident memory of the workerd process that runs a `wrangler dev` server's Worker,
 * read from Linux's /proc. Wrangler runs two workerd processes per server: a proxy
 * that listens on the server's port and the runtime with the Worker's isolates,
 * a sibling started with an inspector address. Only Linux is supported.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Returns the pid of the runtime workerd process behind the server on `port`. */
export function findWorkerRuntimePid(port: number): number {
  const listening = execFileSync('ss', ['-Hltnp', `sport = :${port}`]).toString();
  const proxyPid = /pid=(\d+)/.exec(listening)?.[1];
  if (proxyPid === undefined) throw new Error(`no process listens on 127.0.0.1:${port}`);
  const wranglerPid = parentOf(Number(proxyPid));
  const siblings = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(wranglerPid)]).toString().trim().split('\n');
  const runtime = siblings.find((line) => line.includes('workerd') && line.includes('--inspector-addr'));
  if (runtime === undefined) throw new Error(`no workerd runtime next to the proxy ${proxyPid}: ${siblings.join('; ')}`);
  return Number(runtime.trim().split(/\s+/)[0]);
}

/** Current resident set size of `pid`, in bytes. */
export function residentBytes(pid: number): number {
  return statusKilobytes(pid, 'VmRSS') * 1024;
}

/**
 * Samples the resident set size of `pid` every `intervalMs` until `stop`, which
 * returns the largest sample in bytes. Sampling can miss a spike shorter than the
 * interval. The kernel's own peak (VmHWM) cannot be used per phase: resetting it
 * through /proc/<pid>/clear_refs stalled workerd for over a minute here.
 */
export function sampleResident(pid: number, intervalMs = 20): { stop(): number } {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, residentBytes(pid));
    },
  };
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces, so fields are counted after its closing parenthesis.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function statusKilobytes(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}
