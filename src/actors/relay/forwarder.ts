// Forwarder: pushes one published stream to another server over RTMP, a child of the
// stream's StreamSource (so it stops when the publisher leaves). It reads the FLV ring
// at its own pace, from the latest sync point (metadata, sequence headers, then the
// GOP), and never slows the source: when the destination is slower than the stream it
// falls behind in the ring, and once lapped it skips to the latest sync point. A
// destination that is down or drops is retried with backoff (1 s, 2 s, 4 s ... 10 s),
// each time on the next host of its list (an edge publish cycles through the origins).

import { registerActor, type Actor, type ActorContext } from '../../runtime/index.ts';
import { ChainReader } from '../../runtime/index.ts';
import { PayloadScratch, type MediaChainHandle } from '../stream/media-chain.ts';
import type { RtmpClient } from '../../io/rtmp-client.ts';
import { MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0 } from '../stream/media-flags.ts';
import { forwardedStreamName, parseHostPort, upstreamTcUrl } from './rtmp-upstream.ts';
import { UpstreamLink, type LinkDrop } from './upstream-link.ts';
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
  private readonly link: UpstreamLink;
  private reader: ChainReader | null = null;
  private readonly scratch = new PayloadScratch();
  private dest = '';
  /** Messages sent on the current connection, and connections made so far. */
  sent = 0;
  connections = 0;

  constructor(args: ForwarderArgs, ctx: ActorContext) {
    this.args = args;
    this.ctx = ctx;
    this.link = new UpstreamLink(ctx, {
      mode: 'publish',
      messages: { up: 'fwd/up', down: 'fwd/down', retry: 'fwd/connect' },
      hosts: args.target.hosts,
      timeoutMs: CONNECT_TIMEOUT_MS,
    });
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
    const a = this.args;
    const tcUrl = upstreamTcUrl(parseHostPort(this.link.host!), a.vhost, a.app);
    const name = forwardedStreamName(a.stream, a.param, a.hops + 1);
    this.dest = `${tcUrl}/${name}`;
    this.link.open(tcUrl, name);
  }

  private up(gen: number, client: RtmpClient): void {
    if (!this.link.up(gen, client)) return;
    this.reader = new ChainReader(this.args.media.chain, { startAt: 'latest-sync', autoRelease: true });
    this.sent = 0;
    this.connections++;
    this.ctx.log.info({ stream: this.streamKey(), to: this.dest, role: this.args.target.role }, 'forward started');
    this.drain();
  }

  private down(gen: number, reason: string): void {
    this.logDrop(this.link.down(gen, reason));
  }

  private logDrop(drop: LinkDrop | null): void {
    if (!drop) return;
    this.closeReader();
    this.ctx.log.warn(
      { stream: this.streamKey(), to: this.dest, role: this.args.target.role, reason: drop.reason, retryMs: drop.retryMs },
      drop.wasUp ? 'forward dropped' : 'forward failed',
    );
  }

  /** Sends every record the chain has for us, as far as the socket takes them. */
  private drain(): void {
    const client = this.link.client;
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
      this.logDrop(this.link.fail(`send failed: ${(err as Error).message}`));
    }
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = null;
  }

  private streamKey(): string {
    return `${this.args.vhost}/${this.args.app}/${this.args.stream}`;
  }

  stopped(): void {
    if (this.link.client) this.ctx.log.info({ stream: this.streamKey(), to: this.dest }, 'forward stopped');
    this.link.stop();
    this.closeReader();
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
