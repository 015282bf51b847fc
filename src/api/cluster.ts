// The cluster directory (Redis) as the main thread sees it: this origin's
// entry in the registry of origins (address, ports, streams, players, load), refreshed
// on the directory's rhythm, and `GET /api/v1/cluster`: the origins alive and which
// stream lives where (what SRS's proxy cannot tell).

import type { ActorSystem } from '../runtime/index.ts';
import { SHARED_DIRECTORY_REF, type SdirListRes } from '../runtime/index.ts';
import type { SluiceConfig } from '../config/types.ts';
import type { ClientInfo } from '../actors/worker/client-registry.ts';
import { advertiseOf, clusterOn } from '../actors/relay/cluster-names.ts';
import { splitStreamKey } from '../actors/relay/edge-interest.ts';
import { CpuSampler } from './process-stats.ts';

const ASK_TIMEOUT_MS = 3000;

/** What an origin announces about itself. */
export interface OriginInfo {
  address: string;
  rtmp: number | null;
  http: number | null;
  api: number | null;
  pid: number;
  /** Streams published on it (claimed), and players of any stream on it. */
  streams: number;
  players: number;
  load: { cpu_percent: number };
  updated_ms: number;
}

async function playersOf(system: ActorSystem): Promise<number> {
  const all = await Promise.allSettled(
    Array.from({ length: system.workerCount }, (_, i) => system.control(i + 1, 'clients') as Promise<ClientInfo[]>),
  );
  let n = 0;
  for (const r of all) if (r.status === 'fulfilled') for (const c of r.value) if (!c.publish && c.streamKey !== '') n++;
  return n;
}

/** Keeps this origin's registry entry up to date; returns the function that stops it. */
export function startClusterMember(system: ActorSystem, config: () => SluiceConfig): () => void {
  const cpu = new CpuSampler();
  const self = advertiseOf(config());
  const update = async (): Promise<void> => {
    const c = config();
    const [players, list] = await Promise.all([
      playersOf(system),
      system.ask<SdirListRes>(SHARED_DIRECTORY_REF, { type: 'sdir/list' }, ASK_TIMEOUT_MS).catch(() => null),
    ]);
    const info: OriginInfo = {
      address: self,
      rtmp: c.listen[0]?.port ?? null,
      http: c.http_server.enabled ? (c.http_server.listen[0]?.port ?? null) : null,
      api: c.http_api.enabled ? (c.http_api.listen[0]?.port ?? null) : null,
      pid: process.pid,
      streams: list ? list.names.filter((n) => n.value === self).length : 0,
      players,
      load: { cpu_percent: cpu.sample().processPercent },
      updated_ms: Date.now(),
    };
    system.tell(SHARED_DIRECTORY_REF, { type: 'sdir/info', info });
  };
  const run = () => void update().catch(() => undefined);
  run();
  const timer = setInterval(run, Math.max(1000, (config().cluster.ttl * 1000) / 3));
  timer.unref();
  return () => clearInterval(timer);
}

/** The `data` of GET /api/v1/cluster. */
export async function clusterView(system: ActorSystem, config: SluiceConfig): Promise<Record<string, unknown>> {
  if (!clusterOn(config)) return { enabled: false, origins: [], streams: [] };
  const list = await system.ask<SdirListRes>(SHARED_DIRECTORY_REF, { type: 'sdir/list' }, ASK_TIMEOUT_MS);
  const self = advertiseOf(config);
  const streams = list.names.map((n) => ({ key: n.key, ...(splitStreamKey(n.key) ?? {}), origin: n.value, self: n.value === self }));
  const origins = list.members.map((m) => {
    const info = (m.info ?? {}) as Partial<OriginInfo>;
    return { ...info, address: info.address ?? m.member, streams: streams.filter((s) => s.origin === m.member).length, self: m.member === self };
  });
  return { enabled: true, available: list.available, self, ttl: config.cluster.ttl, origins, streams };
}
