// Results: percentiles, the machine, a plain-text table, and the JSON file under
// bench/results/.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { availableParallelism } from 'node:os';

export const RESULTS_DIR = new URL('../results/', import.meta.url).pathname;

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  memTotalMB: number;
  kernel: string;
}

export function machine(): Machine {
  let kernel = '';
  let mem = 0;
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    mem = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    // not Linux: leave blank
  }
  return { nproc: availableParallelism(), cpuModel: cpus()[0]?.model ?? '', node: process.version, memTotalMB: Math.round(mem), kernel };
}

/** Busy and total CPU time of the whole machine (ms), to show what else was running. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: ((total - idle) * 1000) / 100, total: (total * 1000) / 100 };
}

export function fmt(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  return v.toFixed(digits);
}

export function table(headers: string[], rows: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padStart(w[i])).join('  ');
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function writeResults(scenario: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = `${RESULTS_DIR}${scenario}-${stamp}.json`;
  writeFileSync(path, JSON.stringify({ scenario, machine: machine(), command: commandLine(), date: new Date().toISOString(), ...(data as object) }, null, 2) + '\n');
  return path;
}

export function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return `npm run bench${args ? ` -- ${args}` : ''}`;
}
