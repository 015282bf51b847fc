// WorkerServices: what the actors of one worker thread share, made once by the thread's
// WorkerRoot and handed on explicitly (in the spawn args of the actors that need it), so
// nothing per thread hides in module state and a unit test builds one with a small pool
// and no sockets.

import type { ActorRef, BlockPoolHandle } from '../../runtime/index.ts';
import type { SluiceConfig } from '../../config/types.ts';
import type { HookIdentity } from '../../net/hooks/hook-bodies.ts';
import { ConnectionLimit } from './connection-limit.ts';
import { ClientRegistry } from './client-registry.ts';
import { HookCounts, type HookEnvironment } from '../hooks/hooks.ts';
import { BandcheckClock } from '../rtmp/bandcheck-clock.ts';
import { LocalSources } from '../stream/local-sources.ts';
import { HlsPulls } from '../hls/hls-pull.ts';
import type { HlsDisposals } from '../hls/hls-disposal.ts';
import { LiveMirrors } from '../hls/hls-live-store.ts';
import { FirstFrameHistogram } from '../stream/first-frame-clock.ts';

export interface WorkerServicesInit {
  config: SluiceConfig;
  /** The process-wide pool of media blocks (created by the main thread). */
  pool: BlockPoolHandle;
  /** The server-wide connection count (connection-limit.ts); absent: no limit. */
  connections?: SharedArrayBuffer;
  /** The time of the server's last bandwidth test (bandcheck-clock.ts); absent: this thread's own. */
  bandcheck?: SharedArrayBuffer;
  /** server_id and service_id for hook bodies, decided by the main thread. */
  identity?: HookIdentity;
}

/** Media messages and bytes received by every source of the thread, for /metrics. */
export interface MediaCounters {
  messages: number;
  bytes: number;
}

export class WorkerServices implements HookEnvironment {
  /** The configuration in force; a reload replaces it, so read it when it is needed. */
  config: SluiceConfig;
  readonly pool: BlockPoolHandle;
  readonly connections: ConnectionLimit;
  readonly clients = new ClientRegistry();
  readonly sources = new LocalSources();
  readonly hookIdentity: HookIdentity;
  readonly hookCounts = new HookCounts();
  readonly bandcheckClock: BandcheckClock;
  readonly mediaCounters: MediaCounters = { messages: 0, bytes: 0 };
  /**
   * HLS disposal timers by playlist path (either variant): they outlive the muxer that set
   * them, and a republish of the stream on this thread cancels its own.
   */
  readonly hlsDisposals: HlsDisposals = new Map();
  /** The fmp4 / low_latency HLS streams this worker's viewers watch, copied here. */
  readonly liveMirrors = new LiveMirrors();
  /** Time to first frame of this worker's players, for /metrics. */
  readonly firstFrames = new FirstFrameHistogram();
  /** HLS viewers' pulls of streams that live on other origins of the cluster. */
  readonly hlsPulls = new HlsPulls(this);
  private hubRef: ActorRef | null = null;

  constructor(init: WorkerServicesInit) {
    this.config = init.config;
    this.pool = init.pool;
    this.connections = new ConnectionLimit(init.connections ?? null, init.config.max_connections);
    this.bandcheckClock = new BandcheckClock(init.bandcheck);
    this.hookIdentity = { serverId: '', serviceId: '', ...init.identity };
  }

  /** The worker's MediaHub: where players find the fan-out of a stream. */
  get hub(): ActorRef {
    if (!this.hubRef) throw new Error('no MediaHub on this thread');
    return this.hubRef;
  }

  set hub(ref: ActorRef) {
    this.hubRef = ref;
  }

  /** A new configuration: new sessions and hooks see it at once. */
  reload(config: SluiceConfig): void {
    this.config = config;
    this.connections.setLimit(config.max_connections);
  }
}
