// CPU and memory of processes, from /proc: CPU % from utime+stime deltas between two
// samples (all threads of the process), RSS from /proc/<pid>/status.

import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process in ms, or 0 if it is gone. */
export function cpuMsOf(pid: number): number {
  const t = cpuTimesOf(pid);
  return t.user + t.system;
}

/** User and system (kernel) CPU time of a process in ms, all threads. */
export function cpuTimesOf(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(f[11]) * 1000) / TICKS_PER_SEC, system: (Number(f[12]) * 1000) / TICKS_PER_SEC };
  } catch {
    return { user: 0, system: 0 };
  }
}

export function rssBytesOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of a process (for nginx: its workers). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A CPU meter over a set of processes (re-listed at each sample, for nginx workers). */
export class CpuMeter {
  private readonly pids: () => number[];
  private lastMs = 0;
  private lastSys = 0;
  private lastWall = 0;

  constructor(pids: () => number[]) {
    this.pids = pids;
  }

  private total(): number {
    let ms = 0;
    for (const p of this.pids()) ms += cpuMsOf(p);
    return ms;
  }

  private system(): number {
    let ms = 0;
    for (const p of this.pids()) ms += cpuTimesOf(p).system;
    return ms;
  }

  start(): void {
    this.lastMs = this.total();
    this.lastSys = this.system();
    this.lastWall = performance.now();
  }

  /** CPU % (100 = one core) since start(). */
  percent(): number {
    const ms = this.total() - this.lastMs;
    const wall = performance.now() - this.lastWall;
    return wall > 0 ? (100 * ms) / wall : 0;
  }

  /** The kernel's part of percent(). */
  systemPercent(): number {
    const ms = this.system() - this.lastSys;
    const wall = performance.now() - this.lastWall;
    return wall > 0 ? (100 * ms) / wall : 0;
  }

  rss(): number {
    let b = 0;
    for (const p of this.pids()) b += rssBytesOf(p);
    return b;
  }
}
