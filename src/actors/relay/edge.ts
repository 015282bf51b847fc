// Edge: pulls one stream from the origins of an edge vhost (`cluster.mode: remote`) and
// publishes it on this server through a StreamSource child, so local players, HTTP-FLV,
// HLS and the GOP cache work as for a local publisher. One per stream per server: the
// fan-outs of every worker that have players spawn candidates (through their MediaHub)
// and the first to register `edge-pull:<key>` in the directory wins; the others stop.
// The fan-outs report their player counts (edge/interest); the upstream closes a few
// seconds after the last player anywhere leaves. A failing origin is followed by the next
// one (round robin), and once each has failed in a row, by backoff (1 s ... 10 s).
//
// On an origin of a cluster (`cluster.redis` set, `viaDirectory`) there is no origin list: before
// each attempt the Edge asks the cluster directory where the stream lives and pulls from
// that origin; nowhere yet, it asks again every second. When that origin's publisher
// leaves or the origin dies, the Edge asks again, so players resume wherever the stream
// is published next. What it pulls is never claimed as this origin's own.

import { registerActor, DIRECTORY_REF, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import type { RtmpClient } from '../../io/rtmp-client.ts';
import type { ClientEvent } from '../../net/rtmp/client-events.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import { resolveVhost } from '../worker/vhosts.ts';
import { newClientId } from '../worker/server-identity.ts';
import { MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0 } from '../stream/media-flags.ts';
import { parseHostPort, upstreamTcUrl } from './rtmp-upstream.ts';
import { Backoff, UpstreamLink } from './upstream-link.ts';
import type { SourceSpawnArgs, SourceStartRes } from '../stream/stream-source.ts';
import { locateStream } from './cluster-names.ts';

export interface EdgeArgs {
  key: string;
  vhost: string;
  app: string;
  stream: string;
  /** Pull from where the cluster directory says the stream is (no origin list). */
  viaDirectory?: boolean;
}

/** What the MediaHub spawns an Edge with: the candidate's args and the worker's services. */
export interface EdgeSpawnArgs extends EdgeArgs {
  services: WorkerServices;
}

/** What the directory holds under edgeName(key). */
export interface EdgeEntry {
  edge: ActorRef;
}

export type EdgeMsg =
  | { type: 'edge/elect' }
  | { type: 'edge/connect' }
  | { type: 'edge/up'; gen: number; client: RtmpClient }
  | { type: 'edge/down'; gen: number; reason: string }
  | { type: 'edge/event'; gen: number; event: ClientEvent }
  | { type: 'edge/interest'; from: ActorRef; players: number }
  | { type: 'edge/check' }
  | { type: 'edge/players' }
  | { type: 'sys/child-stopped'; child: ActorRef; reason: string };

export function edgeName(key: string): string {
  return `edge-pull:${key}`;
}

const CHECK_MS = 1000;
/** The upstream closes this long after the last player left. */
export const EDGE_IDLE_MS = 5000;
/** A fan-out not heard of for this long (its worker died) no longer counts. */
const INTEREST_STALE_MS = 12_000;
const CONNECT_TIMEOUT_MS = 5000;
/** A stream the cluster directory knows nowhere is looked for again this often. */
const LOCATE_RETRY_MS = 1000;

export class Edge implements Actor {
  readonly id = newClientId();
  private readonly args: EdgeArgs;
  private readonly services: WorkerServices;
  private readonly ctx: ActorContext;
  private readonly origins: string[];
  private readonly link: UpstreamLink;
  private readonly viaDirectory: boolean;
  private warnedUnavailable = false;
  private readonly interest = new Map<string, { players: number; at: number }>();
  private elected = false;
  private source: ActorRef | null = null;
  private idleSince = Date.now();
  private upstream = '';

  constructor(args: EdgeSpawnArgs, ctx: ActorContext) {
    this.args = args;
    this.services = args.services;
    this.ctx = ctx;
    this.viaDirectory = args.viaDirectory === true;
    this.origins = this.viaDirectory ? [] : resolveVhost(args.services.config, args.vhost)?.config.cluster.origin ?? [];
    const origins = this.origins.length;
    this.link = new UpstreamLink(ctx, {
      mode: 'play',
      messages: { up: 'edge/up', down: 'edge/down', retry: 'edge/connect' },
      hosts: this.origins,
      timeoutMs: CONNECT_TIMEOUT_MS,
      // Origins of a cluster are found again within seconds: retry sooner than an edge does.
      backoff: this.viaDirectory ? new Backoff(250, 2000) : new Backoff(),
      // Each origin gets a go at once; when all failed in a row, wait. In a cluster, the
      // directory is asked again at once after a drop, after a short wait after a failure
      // (the origin may have just died).
      retryDelay: this.viaDirectory
        ? (drop, backoff) => (drop.wasUp ? 0 : backoff.next())
        : (drop, backoff) => (drop.failuresInRow < origins ? 0 : backoff.next()),
    });
    ctx.tell(ctx.self, { type: 'edge/elect' });
  }

  async receive(msg: EdgeMsg, ctx: ActorContext): Promise<unknown> {
    switch (msg.type) {
      case 'edge/elect':
        return this.elect(ctx);
      case 'edge/connect':
        return this.connect();
      case 'edge/up':
        this.up(msg.gen, msg.client);
        return undefined;
      case 'edge/down':
        this.down(msg.gen, msg.reason);
        return undefined;
      case 'edge/event':
        if (this.link.isCurrent(msg.gen)) await this.onEvent(msg.event);
        return undefined;
      case 'edge/interest':
        this.interest.set(`${msg.from.worker}/${msg.from.id}`, { players: msg.players, at: Date.now() });
        if (msg.players > 0) this.idleSince = 0;
        return undefined;
      case 'edge/check':
        this.check();
        return undefined;
      case 'edge/players':
        return this.players();
      case 'sys/child-stopped':
        if (this.source && msg.child.id === this.source.id && msg.child.worker === this.source.worker) this.source = null;
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private async elect(ctx: ActorContext): Promise<void> {
    const entry: EdgeEntry = { edge: ctx.self };
    const res = await ctx.ask<{ ok: boolean }>(DIRECTORY_REF, { type: 'dir/register', name: edgeName(this.args.key), entry, owner: ctx.self });
    if (!res.ok) {
      ctx.stop(); // another worker's candidate won
      return;
    }
    if (this.origins.length === 0 && !this.viaDirectory) {
      ctx.log.warn({ stream: this.args.key }, 'edge vhost without origins: nothing to pull');
      ctx.stop();
      return;
    }
    this.elected = true;
    ctx.every(CHECK_MS, { type: 'edge/check' });
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.link.isStopped || this.link.client) return;
    let origin = this.link.host;
    if (this.viaDirectory) {
      const at = await this.locate();
      if (this.link.isStopped || this.link.client) return;
      if (at === null) {
        this.link.retryIn(LOCATE_RETRY_MS);
        return;
      }
      origin = at;
    }
    this.dial(origin!);
  }

  /** The origin the cluster directory names; null to wait. Stops us when the stream is here. */
  private async locate(): Promise<string | null> {
    const where = await locateStream(this.ctx, this.args.key, this.services.config).catch(() => ({ local: false, available: false, at: null }));
    if (where.local) {
      this.ctx.log.info({ stream: this.args.key }, 'edge pull stopped: the stream is published on this server');
      this.ctx.stop();
      return null;
    }
    if (!where.available) {
      if (!this.warnedUnavailable) this.ctx.log.warn({ stream: this.args.key }, 'remote play waits: the cluster directory is unreachable');
      this.warnedUnavailable = true;
      return null;
    }
    this.warnedUnavailable = false;
    return where.at;
  }

  private dial(origin: string): void {
    const a = this.args;
    const tcUrl = upstreamTcUrl(parseHostPort(origin), a.vhost, a.app);
    this.upstream = `${tcUrl}/${a.stream}`;
    const ctx = this.ctx;
    const self = ctx.self;
    this.link.open(tcUrl, a.stream, (event, gen) => {
      if (event.type === 'media' || event.type === 'data' || event.type === 'status') ctx.tell(self, { type: 'edge/event', gen, event });
    });
  }

  private up(gen: number, client: RtmpClient): void {
    if (!this.link.up(gen, client)) return;
    this.ctx.log.info({ stream: this.args.key, from: this.upstream }, 'edge pull started');
  }

  private down(gen: number, reason: string): void {
    const drop = this.link.down(gen, reason);
    if (!drop) return;
    this.stopSource();
    this.ctx.log.warn({ stream: this.args.key, from: this.upstream, reason, retryMs: drop.retryMs }, drop.wasUp ? 'edge pull dropped' : 'edge pull failed');
  }

  private async onEvent(e: ClientEvent): Promise<void> {
    if (e.type === 'status') {
      // The origin's publisher left: local players hear it; the next media republishes.
      if (e.code === 'NetStream.Play.UnpublishNotify' || e.code === 'NetStream.Play.Stop') {
        this.stopSource();
        // In a cluster the next publish may be on another origin: ask the directory again.
        if (this.viaDirectory) this.relocate();
      }
      return;
    }
    let type: number;
    let payload: Uint8Array;
    if (e.type === 'media') {
      if (e.messageType !== MSG_AUDIO && e.messageType !== MSG_VIDEO) return;
      type = e.messageType;
      payload = e.payload;
    } else if (e.type === 'data') {
      if (e.name !== 'onMetaData' && e.name !== '@setDataFrame') return;
      type = MSG_DATA_AMF0;
      payload = e.payload;
      if (payload.length > 0 && payload[0] === 0x00) payload = payload.subarray(1); // AMF3 data: format byte first
    } else {
      return;
    }
    if (!this.source && !(await this.openSource())) return;
    this.ctx.tell(this.source!, { type: 'source/media', msgType: type, timestamp: e.timestamp, payload });
  }

  /** A StreamSource for what the origin sends; false when the name is taken locally. */
  private async openSource(): Promise<boolean> {
    const a = this.args;
    const config = this.services.config;
    const vhost = resolveVhost(config, a.vhost);
    if (!vhost) return false;
    const args: SourceSpawnArgs = {
      key: a.key, vhost: a.vhost, app: a.app, stream: a.stream, param: '', tcUrl: this.upstream,
      publisher: { clientId: this.id, ip: this.link.client?.socket.remoteAddress ?? '', ref: this.ctx.self },
      gopCache: vhost.config.gop_cache, timeJitter: vhost.config.time_jitter, chunkSize: config.chunk_size, hls: vhost.config.hls,
      queueMs: vhost.config.queue_length * 1000,
      services: this.services,
    };
    const source = this.ctx.spawn('media/source', args);
    const res = await this.ctx.ask<SourceStartRes>(source, { type: 'source/start' });
    if (res.ok && !this.link.isStopped) {
      this.source = source;
      return true;
    }
    this.ctx.stop(source);
    // A local publisher has the name (an edge publish): its players need no pull.
    this.ctx.log.info({ stream: a.key }, 'edge pull stopped: the stream is published on this server');
    this.ctx.stop();
    return false;
  }

  private check(): void {
    if (!this.elected) return;
    const now = Date.now();
    const players = this.players();
    if (players > 0) {
      this.idleSince = 0;
      return;
    }
    if (!this.idleSince) this.idleSince = now;
    else if (now - this.idleSince >= EDGE_IDLE_MS) {
      this.ctx.log.info({ stream: this.args.key, from: this.upstream }, 'edge pull stopped: no players');
      this.ctx.stop();
    }
  }

  private players(): number {
    const now = Date.now();
    let n = 0;
    for (const [k, v] of this.interest) {
      if (now - v.at > INTEREST_STALE_MS) this.interest.delete(k);
      else n += v.players;
    }
    return n;
  }

  /** Leaves the current origin and looks the stream up again shortly. */
  private relocate(): void {
    this.link.abandon(LOCATE_RETRY_MS / 2);
    this.ctx.log.info({ stream: this.args.key, from: this.upstream }, 'edge pull: the origin unpublished, looking the stream up again');
  }

  private stopSource(): void {
    if (this.source) this.ctx.stop(this.source);
    this.source = null;
  }

  stopped(): void {
    this.link.stop(); // the source child stops with us; the directory drops our names
  }
}

registerActor('edge/pull', (args: EdgeSpawnArgs, ctx: ActorContext) => new Edge(args, ctx));
