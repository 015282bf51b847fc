// The server process as /proc sees it (RSS, open fds, threads) plus, when the HTTP API
// answers, its own count of clients and streams.

import http from 'node:http';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Sample {
  /** Seconds since the run started. */
  t: number;
  phase: string;
  rssKiB: number;
  fds: number;
  threads: number;
  /** From /api/v1/clients (null when the API did not answer). */
  apiClients: number | null;
  apiStreams: number | null;
  apiPublishing: number | null;
  /** Client handles the soak itself held at that moment. */
  soakHandles: number;
}

export function procStatus(pid: number): { rssKiB: number; threads: number; fds: number } {
  let rssKiB = 0;
  let threads = 0;
  let fds = -1;
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    rssKiB = Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0);
    threads = Number(/Threads:\s+(\d+)/.exec(st)?.[1] ?? 0);
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // the process is gone: the caller sees zeros
  }
  return { rssKiB, threads, fds };
}

/** The open fds of a process by kind (socket, anon_inode:[eventpoll], file path...). */
export function fdKinds(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = '?';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const kind = target.startsWith('socket:') ? 'socket' : target.startsWith('pipe:') ? 'pipe' : target.startsWith('/') ? 'file' : target;
      out[kind] = (out[kind] ?? 0) + 1;
    }
  } catch {
    // gone
  }
  return out;
}

export async function sample(pid: number, apiPort: number, t: number, phase: string, soakHandles: number): Promise<Sample> {
  // /proc first: the API request below is itself a connection the server holds for a moment.
  const p = procStatus(pid);
  const clients = await apiJson(apiPort, '/api/v1/clients/?count=100000');
  const streams = await apiJson(apiPort, '/api/v1/streams/?count=100000');
  const cl = (clients?.data as { clients?: unknown[] } | undefined)?.clients ?? (clients as { clients?: unknown[] } | null)?.clients;
  const sl = ((streams?.data as { streams?: unknown[] } | undefined)?.streams ?? (streams as { streams?: unknown[] } | null)?.streams) as
    | { publish?: { active?: boolean } }[]
    | undefined;
  return {
    t: Math.round(t),
    phase,
    rssKiB: p.rssKiB,
    fds: p.fds,
    threads: p.threads,
    apiClients: Array.isArray(cl) ? cl.length : null,
    apiStreams: Array.isArray(sl) ? sl.length : null,
    apiPublishing: Array.isArray(sl) ? sl.filter((s) => s.publish?.active).length : null,
    soakHandles,
  };
}

export function apiJson(port: number, path: string): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
