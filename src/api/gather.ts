// Reads the state of the whole server for one API answer, without stopping anybody:
// the clients of every worker over the control plane, the live streams from the
// directory, and each stream's counters from its source.

import type { ActorSystem } from '../runtime/index.ts';
import { DIRECTORY_REF, type DirListRes, type ThreadStats } from '../runtime/index.ts';
import type { ClientInfo } from '../actors/worker/client-registry.ts';
import type { StreamEntry } from '../actors/stream/stream-source.ts';
import type { WorkerCounters } from '../actors/worker/stats-controls.ts';
import type { AudioDescription, VideoDescription } from '../net/codec/media-info.ts';

const ASK_TIMEOUT_MS = 2000;

export interface SourceStats {
  recvBytes: number;
  frames: number;
  audioFrames?: number;
  kbpsRecv30s: number;
  video: VideoDescription | null;
  audio: AudioDescription | null;
}

export interface LiveStream {
  entry: StreamEntry;
  stats: SourceStats | null;
}

export interface ClientRow extends ClientInfo {
  worker: number;
}

export interface Snapshot {
  now: number;
  clients: ClientRow[];
  streams: LiveStream[];
}

function workers(system: ActorSystem): number[] {
  return Array.from({ length: system.workerCount }, (_, i) => i + 1);
}

/** Workers that answer now: one that is restarting or gone is not asked (nor waited for). */
function runningWorkers(system: ActorSystem): number[] {
  return workers(system).filter((w) => system.workerStatus(w) === 'running');
}

function isStreamEntry(e: unknown): e is StreamEntry {
  return typeof e === 'object' && e !== null && typeof (e as StreamEntry).streamId === 'string' && typeof (e as StreamEntry).source === 'object';
}

/** Results of a control call on every worker; a worker that is down counts as empty. */
async function everyWorker<T>(system: ActorSystem, name: string, ...args: unknown[]): Promise<{ worker: number; value: T }[]> {
  const ws = runningWorkers(system);
  const res = await Promise.allSettled(ws.map((w) => system.control(w, name, ...args) as Promise<T>));
  const out: { worker: number; value: T }[] = [];
  res.forEach((r, i) => {
    if (r.status === 'fulfilled') out.push({ worker: ws[i]!, value: r.value });
  });
  return out;
}

export async function gatherSnapshot(system: ActorSystem): Promise<Snapshot> {
  const [perWorker, dir] = await Promise.all([
    everyWorker<ClientInfo[]>(system, 'clients'),
    system.ask<DirListRes>(DIRECTORY_REF, { type: 'dir/list' }, ASK_TIMEOUT_MS),
  ]);
  const clients: ClientRow[] = [];
  for (const { worker, value } of perWorker) for (const c of value) clients.push({ ...c, worker });
  const entries = dir.map((d) => d.entry).filter(isStreamEntry);
  const stats = await Promise.all(
    entries.map((e) => system.ask<SourceStats>(e.source, { type: 'source/stats' }, ASK_TIMEOUT_MS).catch(() => null)),
  );
  return { now: Date.now(), clients, streams: entries.map((entry, i) => ({ entry, stats: stats[i]! })) };
}

/** DELETE /api/v1/clients/{id}: true when a worker had that client. */
export async function kickEverywhere(system: ActorSystem, id: string): Promise<boolean> {
  const res = await everyWorker<boolean>(system, 'kick', id);
  return res.some((r) => r.value === true);
}

/**
 * One worker as the API reports it. A worker is up when it answered both questions; one
 * that is down (dead, restarting, or too slow to answer) has no figures at all, so that
 * nobody reads zeros from a worker that could not be asked.
 */
export interface WorkerState {
  worker: number;
  up: boolean;
  /** null when the worker is down. */
  thread: ThreadStats | null;
  counters: WorkerCounters | null;
}

/** For /metrics: each worker's runtime stats and its media, hook and fan-out counters. */
export async function gatherWorkers(system: ActorSystem): Promise<WorkerState[]> {
  return Promise.all(
    workers(system).map(async (worker): Promise<WorkerState> => {
      const down: WorkerState = { worker, up: false, thread: null, counters: null };
      if (system.workerStatus(worker) !== 'running') return down;
      const [thread, counters] = await Promise.allSettled([
        system.stats(worker),
        system.control(worker, 'worker-counters') as Promise<WorkerCounters>,
      ]);
      if (thread.status !== 'fulfilled' || counters.status !== 'fulfilled') return down;
      return { worker, up: true, thread: thread.value, counters: counters.value };
    }),
  );
}

/** Connections open on the whole server (RTMP and HTTP), from the shared counter. */
export async function openConnections(system: ActorSystem): Promise<number> {
  const res = await everyWorker<number>(system, 'connections');
  return res[0]?.value ?? 0;
}
