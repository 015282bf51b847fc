// StreamFanout: the readers of one stream on one worker. It subscribes to the stream's
// name in the directory (so players may come before the publisher), follows its chain
// when it appears, and serves every local RTMP player and HTTP-FLV viewer from one chain
// reader per format on a merged-write timer (mw_latency). It outlives unpublish: players
// stay and resume on republish; it stops itself a while after its last player leaves.

import { registerActor, DIRECTORY_REF, type Actor, type ActorContext } from '../../runtime/index.ts';
import { ChainChannel, type LagPolicy } from './chain-channel.ts';
import type { MediaFormat, MediaSink } from './media-sink.ts';
import type { StreamEntry } from './stream-source.ts';
import { EdgeInterest } from '../relay/edge-interest.ts';
import type { SluiceConfig } from '../../config/types.ts';

export interface FanoutArgs {
  key: string;
  mwLatencyMs: number;
  queueMs: number;
  /** The configuration in force when the fan-out starts (whether it pulls from an origin). */
  config: SluiceConfig;
}

export type FanoutMsg =
  | { type: 'fanout/attach'; sink: MediaSink }
  | { type: 'fanout/detach'; id: string }
  | { type: 'fanout/pause'; id: string; paused: boolean }
  | { type: 'fanout/tick' }
  | { type: 'fanout/idle-check' }
  | { type: 'fanout/stats' }
  | { type: 'dir/appeared'; name: string; entry: StreamEntry }
  | { type: 'dir/disappeared'; name: string };

const IDLE_STOP_MS = 3000;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const SLICES = 8;

export class StreamFanout implements Actor {
  private readonly args: FanoutArgs;
  private readonly channels: Record<MediaFormat, ChainChannel>;
  private entry: StreamEntry | null = null;
  private cancelTick: (() => void) | null = null;
  private cancelIdle: (() => void) | null = null;
  private idleSince = 0;
  private attaches = 0;
  /** Sinks that only keep the stream wanted here (MediaSink.holdOnly), by id. */
  private readonly holds = new Set<string>();
  private readonly ctx: ActorContext;
  private readonly slices: number;
  private tickCount = 0;
  private appearedAt = 0;
  /** On an edge vhost: the pull from the origin that these players need. */
  private readonly edge: EdgeInterest | null;

  constructor(args: FanoutArgs, ctx: ActorContext) {
    this.args = args;
    this.ctx = ctx;
    // Thousands of players' writes are spread over the merged-write window in groups.
    this.slices = args.mwLatencyMs >= 80 ? SLICES : 1;
    const policy: LagPolicy = { queueMs: args.queueMs, highWaterBytes: HIGH_WATER_BYTES, slices: this.slices };
    const log = (m: string) => ctx.log.warn({ stream: args.key }, m);
    this.channels = { rtmp: new ChainChannel('rtmp', policy, log), flv: new ChainChannel('flv', policy, log) };
    ctx.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: args.key, subscriber: ctx.self });
    this.cancelIdle = ctx.every(IDLE_STOP_MS, { type: 'fanout/idle-check' });
    this.edge = EdgeInterest.forKey(args.key, ctx, args.config);
  }

  /** What keeps the stream wanted here: players, and holds. */
  private players(): number {
    return this.channels.rtmp.playerCount + this.channels.flv.playerCount + this.holds.size;
  }

  receive(msg: FanoutMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'fanout/attach': {
        if (msg.sink.holdOnly) {
          this.holds.add(msg.sink.id);
          this.attaches++;
          this.idleSince = 0;
          this.edge?.update(this.players(), this.entry !== null);
          return undefined;
        }
        const ch = this.channels[msg.sink.format];
        ch.add(msg.sink);
        this.follow(ch);
        this.attaches++;
        this.idleSince = 0;
        if (this.entry) {
          msg.sink.streamStarted(this.entry);
          ch.flushPlayer(msg.sink.id); // a new player's first frame should not wait for the next tick
        }
        this.edge?.update(this.players(), this.entry !== null);
        return undefined;
      }
      case 'fanout/detach':
        if (!this.holds.delete(msg.id)) {
          for (const ch of [this.channels.rtmp, this.channels.flv]) {
            if (ch.remove(msg.id) && ch.playerCount === 0) ch.detach();
          }
        }
        this.edge?.update(this.players(), this.entry !== null);
        return undefined;
      case 'fanout/pause':
        this.channels.rtmp.setPaused(msg.id, msg.paused);
        this.channels.flv.setPaused(msg.id, msg.paused);
        return undefined;
      case 'fanout/tick':
        this.subTick();
        return undefined;
      case 'fanout/idle-check':
        this.idleCheck(ctx);
        return undefined;
      case 'fanout/stats':
        return {
          players: this.channels.rtmp.playerCount + this.channels.flv.playerCount,
          skipped: this.channels.rtmp.counters.skipped + this.channels.flv.counters.skipped,
          dropped: this.channels.rtmp.counters.dropped + this.channels.flv.counters.dropped,
          sentBytes: this.channels.rtmp.counters.sentBytes + this.channels.flv.counters.sentBytes,
        };
      case 'dir/appeared':
        if (this.edge?.onDirectory(msg, this.players(), this.entry !== null)) return undefined;
        this.onAppeared(msg.entry);
        return undefined;
      case 'dir/disappeared':
        if (this.edge?.onDirectory(msg, this.players(), this.entry !== null)) return undefined;
        this.onDisappeared();
        this.edge?.update(this.players(), false);
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  /** One group of players per sub-tick: each player is served once per mw_latency. */
  private subTick(): void {
    if (!this.entry) return;
    // Just (re)started: the first frames reach the ring after the appearance, and the
    // players waiting for them should not wait for their group's turn (up to mw_latency).
    if (Date.now() - this.appearedAt < this.args.mwLatencyMs) return this.tick();
    const slice = this.tickCount++ % this.slices;
    this.channels.rtmp.flush(slice);
    this.channels.flv.flush(slice);
  }

  /** Every player at once (a stream starts or ends). */
  private tick(): void {
    if (!this.entry) return;
    this.channels.rtmp.flush();
    this.channels.flv.flush();
  }

  private onAppeared(entry: StreamEntry): void {
    if (this.entry && this.entry.streamId === entry.streamId) return;
    if (this.entry) this.onDisappeared();
    this.entry = entry;
    this.appearedAt = Date.now();
    this.follow(this.channels.rtmp);
    this.follow(this.channels.flv);
    this.startTicks();
    for (const ch of [this.channels.rtmp, this.channels.flv]) for (const s of ch.sinks()) s.streamStarted(entry);
    this.tick();
  }

  /**
   * A channel reads the live stream only while it has players: a format nobody plays here
   * costs no reader, no index and no framing per tick (a new player joins at the latest
   * keyframe, which the chain keeps anyway).
   */
  private follow(ch: ChainChannel): void {
    const e = this.entry;
    if (e !== null && !ch.attached && ch.playerCount > 0) ch.attach(e.media.chain, e.media.chunkSize, e.startedAt);
  }

  private onDisappeared(): void {
    if (!this.entry) return;
    // Deliver what the publisher sent before it left, then tell the players.
    this.tick();
    this.entry = null;
    this.stopTicks();
    for (const ch of [this.channels.rtmp, this.channels.flv]) {
      ch.detach();
      for (const s of [...ch.sinks()]) s.streamEnded();
    }
  }

  private idleCheck(ctx: ActorContext): void {
    const players = this.players();
    this.edge?.update(players, this.entry !== null, true);
    if (players > 0 || this.entry) {
      this.idleSince = 0;
      return;
    }
    if (!this.idleSince) {
      this.idleSince = Date.now();
      return;
    }
    // The hub stops us, unless an attach it sent is still on its way here.
    if (Date.now() - this.idleSince >= IDLE_STOP_MS && ctx.parent) {
      ctx.tell(ctx.parent, { type: 'hub/idle', key: this.args.key, attaches: this.attaches });
    }
  }

  // The merged-write timer runs only while a stream is live here: an idle fan-out costs nothing.
  private startTicks(): void {
    if (!this.cancelTick) this.cancelTick = this.ctx.every(Math.max(10, Math.round(this.args.mwLatencyMs / this.slices)), { type: 'fanout/tick' });
  }

  private stopTicks(): void {
    this.cancelTick?.();
    this.cancelTick = null;
  }

  stopped(): void {
    this.stopTicks();
    this.cancelIdle?.();
    this.edge?.stop();
    this.ctx.tell(DIRECTORY_REF, { type: 'dir/unsubscribe', name: this.args.key, subscriber: this.ctx.self });
    this.channels.rtmp.detach();
    this.channels.flv.detach();
  }
}

registerActor('media/fanout', (args: FanoutArgs, ctx: ActorContext) => new StreamFanout(args, ctx));
