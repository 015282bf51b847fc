// Forwarder: pushes one published stream to another server over RTMP, a child of the
// stream's StreamSource (so it stops when the publisher leaves). It reads the FLV ring
// at its own pace, from the latest sync point (metadata, sequence headers, then the
// GOP), and never slows the source: when the destination is slower than the stream it
// falls behind in the ring, and once lapped it skips to the latest sync point. A
// destination that is down or drops is retried with backoff (1 s, 2 s, 4 s ... 10 s),
// each time on the next host of its list (an edge publish cycles through the origins).

import { registerActor, type Actor, type ActorContext } from '../runtime/index.ts';
import { ChainReader } from '../runtime/index.ts';
import { PayloadScratch, type MediaChainHandle } from './media-chain.ts';
import type { RtmpClient } from '../net/rtmp/rtmp-client.ts';
import { MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0 } from './media-flags.ts';
import { Backoff, forwardedStreamName, parseHostPort, upstreamTcUrl, openUpstream, type UpstreamOwner } from './rtmp-upstream.ts';
import type { ForwardPlan, ForwardTarget } from './forwarder-plan.ts';

export interface ForwarderArgs {
  /** The stream's stored media. */
  media: MediaChainHandle;
  target: ForwardTarget;
  vhost: string;
  app: string;
  stream: string;
  /** The publisher's parameters (kept, minus routing ones). */
  param: string;
  /** Hops the stream made before this server; the destination sees hops + 1. */
  hops: number;
}

export type ForwarderMsg =
  | { type: 'fwd/connect' }
  | { type: 'fwd/up'; gen: number; client: RtmpClient }
  | { type: 'fwd/down'; gen: number; reason: string }
  | { type: 'fwd/tick' };

const TICK_MS = 40;
const CONNECT_TIMEOUT_MS = 5000;
// Bytes queued on the socket beyond which we stop reading the ring for this tick.
const HIGH_WATER_BYTES = 2 * 1024 * 1024;

export class Forwarder implements Actor {
  private readonly args: ForwarderArgs;
  private readonly ctx: ActorContext;
  private readonly backoff = new Backoff();
  private client: RtmpClient | null = null;
  /** A connection not yet publishing (closed if we stop meanwhile). */
  private connecting: RtmpClient | null = null;
  private reader: ChainReader | null = null;
  private readonly scratch = new PayloadScratch();
  private gen = 0;
  private hostIndex = 0;
  private done = false;
  private dest = '';
  /** Messages sent on the current connection, and connections made so far. */
  sent = 0;
  connections = 0;

  constructor(args: ForwarderArgs, ctx: ActorContext) {
    this.args = args;
    this.ctx = ctx;
    ctx.tell(ctx.self, { type: 'fwd/connect' });
    ctx.every(TICK_MS, { type: 'fwd/tick' });
  }

  receive(msg: ForwarderMsg): unknown {
    switch (msg.type) {
      case 'fwd/connect':
        this.connect();
        return undefined;
      case 'fwd/up':
        this.up(msg.gen, msg.client);
        return undefined;
      case 'fwd/down':
        this.down(msg.gen, msg.reason);
        return undefined;
      case 'fwd/tick':
        this.drain();
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private connect(): void {
    if (this.done) return;
    const a = this.args;
    const hosts = a.target.hosts;
    const hp = parseHostPort(hosts[this.hostIndex % hosts.length]!);
    const tcUrl = upstreamTcUrl(hp, a.vhost, a.app);
    const name = forwardedStreamName(a.stream, a.param, a.hops + 1);
    this.dest = `${tcUrl}/${name}`;
    openUpstream(this.upstreamOwner(), {
      tcUrl, stream: name, mode: 'publish', gen: ++this.gen, upType: 'fwd/up', downType: 'fwd/down', timeoutMs: CONNECT_TIMEOUT_MS,
    });
  }

  private upstreamOwner(): UpstreamOwner {
    return { ctx: this.ctx, isDone: () => this.done, setConnecting: (c) => (this.connecting = c) };
  }

  private up(gen: number, client: RtmpClient): void {
    if (this.connecting === client) this.connecting = null;
    if (gen !== this.gen || this.done) {
      client.destroy();
      return;
    }
    this.client = client;
    this.reader = new ChainReader(this.args.media.chain, { startAt: 'latest-sync', autoRelease: true });
    this.sent = 0;
    this.connections++;
    this.backoff.reset();
    this.ctx.log.info({ stream: this.streamKey(), to: this.dest, role: this.args.target.role }, 'forward started');
    this.drain();
  }

  private down(gen: number, reason: string): void {
    if (gen !== this.gen || this.done) return;
    this.gen++; // later reports of this attempt are stale
    this.connecting?.destroy();
    this.connecting = null;
    const wasUp = this.client !== null;
    this.teardown();
    const hosts = this.args.target.hosts;
    this.hostIndex = (this.hostIndex + 1) % hosts.length;
    const delay = this.backoff.next();
    this.ctx.log.warn(
      { stream: this.streamKey(), to: this.dest, role: this.args.target.role, reason, retryMs: delay },
      wasUp ? 'forward dropped' : 'forward failed',
    );
    this.ctx.schedule(delay, { type: 'fwd/connect' });
  }

  /** Sends every record the chain has for us, as far as the socket takes them. */
  private drain(): void {
    const client = this.client;
    const reader = this.reader;
    if (!client || !reader || client.closedReason !== null) return;
    const socket = client.socket;
    try {
      while (socket.writableLength < HIGH_WATER_BYTES) {
        const rec = reader.next();
        if (!rec) break;
        if (rec.type !== MSG_AUDIO && rec.type !== MSG_VIDEO && rec.type !== MSG_DATA_AMF0) continue;
        const payload = this.scratch.read(reader, rec, this.args.media.chunkSize);
        if (!payload) break; // no longer in the chain: lapped, handled below
        // sendMedia copies the bytes into its chunks: the scratch is reused at once.
        client.sendMedia(rec.type, rec.timestamp, payload);
        this.sent++;
      }
      if (reader.isLapped()) {
        this.ctx.log.warn({ stream: this.streamKey(), to: this.dest }, 'forward fell behind what the stream keeps: skipping to the latest keyframe');
        reader.skipToLatestSync();
      }
    } catch (err) {
      this.down(this.gen, `send failed: ${(err as Error).message}`);
    }
  }

  private teardown(): void {
    this.reader?.close();
    this.reader = null;
    const c = this.client;
    this.client = null;
    if (c) void c.close();
  }

  private streamKey(): string {
    return `${this.args.vhost}/${this.args.app}/${this.args.stream}`;
  }

  stopped(): void {
    this.done = true;
    this.gen++;
    this.connecting?.destroy();
    if (this.client) this.ctx.log.info({ stream: this.streamKey(), to: this.dest }, 'forward stopped');
    this.teardown();
  }
}

registerActor('media/forwarder', (args: ForwarderArgs, ctx: ActorContext) => new Forwarder(args, ctx));

/** One Forwarder per target of the plan (called by StreamSource.start). */
export function spawnForwarders(
  ctx: ActorContext,
  plan: ForwardPlan | undefined,
  media: MediaChainHandle,
  names: { vhost: string; app: string; stream: string; param: string },
): void {
  if (!plan) return;
  for (const target of plan.targets) {
    const args: ForwarderArgs = { media, target, vhost: names.vhost, app: names.app, stream: names.stream, param: names.param, hops: plan.hops };
    ctx.spawn('media/forwarder', args);
  }
}
