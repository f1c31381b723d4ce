import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';

/** The machine and software a benchmark run used, for the report. */
export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  wrangler: string;
  /** 1-minute load average when the run started, since other processes may share the cores. */
  loadAverageAtStart: number;
}

export function describeMachine(): MachineDescription {
  const processors = cpus();
  const wranglerManifest = resolve(import.meta.dirname, '..', 'node_modules', 'wrangler', 'package.json');
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    wrangler: (JSON.parse(readFileSync(wranglerManifest, 'utf8')) as { version: string }).version,
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}
