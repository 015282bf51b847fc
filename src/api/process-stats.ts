// /api/v1/summaries: the process and the machine, SRS's keys. CPU use is measured
// between samples (the API server takes one every few seconds), like SRS's own sampler.
// Sluice adds `workers` (each worker thread's load, for the console) and `ports` (the
// listeners, so the console can link to the players page on the HTTP server).
import os from 'node:os';
import type { BlockPoolStats } from '../runtime/index.ts';
import type { ListenerPorts } from '../config/listener-ports.ts';
import type { WorkerState } from './gather.ts';

export interface CpuSnapshot {
  processPercent: number;
  systemPercent: number;
}

function systemTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export class CpuSampler {
  private lastWall = process.hrtime.bigint();
  private lastUsage = process.cpuUsage();
  private lastSystem = systemTimes();
  private current: CpuSnapshot = { processPercent: 0, systemPercent: 0 };

  /** Closes the interval since the previous sample. */
  sample(): CpuSnapshot {
    const wall = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const sys = systemTimes();
    const wallUs = Number(wall - this.lastWall) / 1000;
    if (wallUs > 0) {
      const used = usage.user - this.lastUsage.user + (usage.system - this.lastUsage.system);
      const total = sys.total - this.lastSystem.total;
      this.current = {
        processPercent: round2((used / wallUs) * 100),
        systemPercent: total > 0 ? round2((1 - (sys.idle - this.lastSystem.idle) / total) * 100) : 0,
      };
    }
    this.lastWall = wall;
    this.lastUsage = usage;
    this.lastSystem = sys;
    return this.current;
  }

  get latest(): CpuSnapshot {
    return this.current;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface SummaryInput {
  version: string;
  startedAt: number;
  cpu: CpuSnapshot;
  connections: number;
  recvBytes: number;
  sendBytes: number;
  workers: readonly WorkerState[];
  ports: ListenerPorts;
  pool: BlockPoolStats;
}

/** One row per worker thread; a worker that did not answer (restarting) shows `alive: false`. */
export function workerRows(workers: readonly WorkerState[]): Record<string, unknown>[] {
  return workers.map(({ worker, thread }) => ({
    worker,
    alive: thread !== null,
    event_loop_lag_ms: thread ? round2(thread.eventLoopLagMs) : null,
    heap_used_kbyte: thread ? Math.round(thread.heapUsedBytes / 1024) : null,
    actors: thread?.actors ?? null,
    mailbox_depth: thread?.mailboxDepth ?? null,
  }));
}

export function summaryData(s: SummaryInput): Record<string, unknown> {
  const now = Date.now();
  const rss = process.memoryUsage.rss();
  const total = os.totalmem();
  const [l1, l5, l15] = os.loadavg();
  const cpus = os.cpus().length;
  return {
    ok: true,
    now_ms: now,
    self: {
      version: s.version,
      pid: process.pid,
      ppid: process.ppid,
      argv: process.argv.join(' '),
      cwd: process.cwd(),
      mem_kbyte: Math.round(rss / 1024),
      mem_percent: round2((rss / total) * 100),
      cpu_percent: s.cpu.processPercent,
      srs_uptime: Math.floor((now - s.startedAt) / 1000),
    },
    system: {
      cpu_percent: s.cpu.systemPercent,
      disk_read_KBps: 0,
      disk_write_KBps: 0,
      disk_busy_percent: 0,
      mem_ram_kbyte: Math.round(total / 1024),
      mem_ram_percent: round2((1 - os.freemem() / total) * 100),
      mem_swap_kbyte: 0,
      mem_swap_percent: 0,
      cpus,
      cpus_online: cpus,
      uptime: os.uptime(),
      ilde_time: 0, // sic: SRS's own spelling
      load_1m: l1,
      load_5m: l5,
      load_15m: l15,
      srs_sample_time: now,
      srs_recv_bytes: s.recvBytes,
      srs_send_bytes: s.sendBytes,
      conn_srs: s.connections,
    },
    workers: workerRows(s.workers),
    ports: s.ports,
    // The process-wide media block pool: what streams hold now, its peak, the bound.
    pool: {
      block_size: s.pool.blockSize,
      blocks: s.pool.blockCount,
      in_use: s.pool.inUse,
      peak: s.pool.peak,
      failed: s.pool.failed,
    },
  };
}
