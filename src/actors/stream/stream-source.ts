// StreamSource: one per live stream, on the worker of its publisher. It owns the
// stream's chain of pool blocks: every media message is corrected in time once and
// stored once (media-chain.ts). Before each keyframe it repeats metadata and sequence
// headers as join-only records, so the chain itself is the GOP cache: a reader that
// starts at the latest sync point gets metadata, sequence headers, then the GOP.
//
// The publisher's session hands it media synchronously (ingest), on the same thread,
// with no message object or Promise per message. What the chain retains is decided
// here: the GOP, plus what the slowest reader still needs, bounded by queue_length;
// under pool pressure only the GOP.

import { registerActor, DIRECTORY_REF, PoolFullError, type Actor, type ActorContext, type ActorRef, type DirRegisterRes } from '../../runtime/index.ts';
import { parseVideoTag, createVideoTagInfo } from '../../net/codec/video-tag.ts';
import { parseAudioTag, createAudioTagInfo } from '../../net/codec/audio-tag.ts';
import { normalizeMetadata, metadataForPlayers } from '../../net/rtmp/commands.ts';
import { MediaChainWriter, type MediaChainHandle } from './media-chain.ts';
import { TimeJitter, type JitterMode } from '../../net/rtmp/time-jitter.ts';
import {
  FLAG_SYNC, FLAG_JOIN_ONLY, FLAG_SEQUENCE_HEADER, FLAG_METADATA, FLAG_KEYFRAME,
  MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0,
} from './media-flags.ts';
import { SERVER_NAME, SERVER_VERSION, newClientId } from '../worker/server-identity.ts';
import { StreamStats } from './stream-stats.ts';
import type { HlsConfig, SluiceConfig } from '../../config/types.ts';
import type { WorkerServices, MediaCounters } from '../worker/worker-services.ts';
import { resolveVhost } from '../worker/vhosts.ts';
import type { HlsMuxerArgs } from '../hls/hls-muxer.ts';
import type { DvrConfig, TranscodeConfig } from '../../config/types.ts';
import { spawnDvr } from '../dvr/dvr.ts';
import { spawnTranscoders } from '../ffmpeg/transcoder.ts';
import { spawnForwarders } from '../relay/forwarder.ts';
import type { ForwardPlan } from '../relay/forwarder-plan.ts';
import { claimStream } from '../relay/cluster-names.ts';
import { PRESSURE_SHARE, REFUSE_SHARE } from './pool-shares.ts';

export interface SourceArgs {
  key: string;
  vhost: string;
  app: string;
  stream: string;
  param: string;
  tcUrl: string;
  publisher: { clientId: string; ip: string; ref: ActorRef };
  gopCache: boolean;
  timeJitter: JitterMode;
  chunkSize: number;
  hls: HlsConfig;
  /** The vhost's DVR and transcode settings at publish time (absent: off). */
  dvr?: DvrConfig;
  transcode?: TranscodeConfig;
  /** The API id decided by the publisher's session (hooks report it before the source exists). */
  streamId?: string;
  /** Forwarders to start with the stream (forward destinations, an edge publish's origins). */
  forward?: ForwardPlan;
  /** A publish here, claimed in the cluster directory (not a stream pulled from another origin). */
  claim?: boolean;
  /** queue_length in ms: how far behind the newest message a reader is kept (default 10 s). */
  queueMs?: number;
}

/** What a StreamSource is spawned with: its args and its worker's services. */
export interface SourceSpawnArgs extends SourceArgs {
  services: WorkerServices;
}

/** What the directory holds for a live stream: enough for any worker to serve it. */
export interface StreamEntry {
  key: string;
  vhost: string;
  app: string;
  stream: string;
  param: string;
  tcUrl: string;
  streamId: string;
  source: ActorRef;
  publisherId: string;
  media: MediaChainHandle;
  gopCache: boolean;
  startedAt: number;
}

export type SourceMsg =
  | { type: 'source/start' }
  | { type: 'source/media'; msgType: number; timestamp: number; payload: Uint8Array }
  | { type: 'source/stats' }
  | { type: 'source/reload'; config: SluiceConfig }
  | { type: 'source/end' };

export type SourceStartRes = { ok: true; entry: StreamEntry } | { ok: false; reason: 'busy' | 'memory' };

// An audio-only stream has no keyframes: offer a join point about this often.
const AUDIO_SYNC_INTERVAL_MS = 1000;
// Readers are kept this much longer than queue_length: the fan-out skips its players at
// queue_length on its own tick, so the chain must not lap it first.
const RETAIN_MARGIN_MS = 2000;
// Retention is decided every this many records (and at every keyframe).
const TRIM_EVERY = 16;
const DROP_LOG_MS = 1000;
// A stream's first messages are kept whole until the fan-outs of players that came before
// the publisher (told of the stream when it registered) have attached their readers, a
// moment after it starts, so those players get the stream from its very start; at most
// this long.
const STARTUP_KEEP_MS = 5000;

// What a media payload is, by its tag header (tagKind).
const KIND_UNREAD = 0;
const KIND_SEQUENCE_HEADER = 1;
const KIND_KEYFRAME = 2;
const KIND_FRAME = 3;
const OPEN_NONE = 0;
const OPEN_STORING = 1;
/** Begun while the pool was full: its bytes are let go. */
const OPEN_DROPPING = 2;
/** The flags of a decision whose message is dropped. */
const DROP = 0x100;

/** A spilled message's flags and corrected time in one number (no object per message). */
function decision(flags: number, ts: number): number {
  return flags * 2 ** 32 + (ts >>> 0);
}

export class StreamSource implements Actor {
  // Reused for every packet: parsing a tag header allocates nothing.
  private readonly videoInfo = createVideoTagInfo();
  private readonly audioInfo = createAudioTagInfo();
  private readonly args: SourceArgs;
  private readonly media: MediaChainWriter;
  private readonly jitter: TimeJitter;
  readonly stats: StreamStats;
  private metadata: Uint8Array | null = null;
  private metadataObject: Record<string, unknown> | null = null;
  private videoHeader: Uint8Array | null = null;
  private audioHeader: Uint8Array | null = null;
  private hasVideo = false;
  private lastAudioSync = -Infinity;
  private entry: StreamEntry | null = null;
  private self: ActorRef | null = null;
  private hls: ActorRef | null = null;
  private hlsConfig: HlsConfig | null = null;
  private readonly retainMs: number;
  /** First record of the latest GOP (its join group), 0 before the first keyframe. */
  private gopStart = 0;
  private sinceTrim = 0;
  /** When the first message was stored (wall clock). */
  private firstTs = 0;
  /** Readers of fan-outs that were waiting for this stream, not attached yet (see STARTUP_KEEP_MS). */
  private waitingReaders = 0;
  /** Messages dropped because the pool was full. */
  dropped = 0;
  // the message being stored as it arrives (openIngest): what was decided about it
  private openState = OPEN_NONE;
  private openFlags = 0;
  private openTs = 0;
  private lastDropLog = 0;
  private log: ActorContext['log'] | null = null;
  private readonly services: WorkerServices;
  private readonly counters: MediaCounters;

  constructor(args: SourceArgs, services: WorkerServices) {
    this.args = args;
    this.services = services;
    this.counters = services.mediaCounters;
    this.media = new MediaChainWriter(services.pool, args.chunkSize, services.config.workers);
    this.retainMs = (args.queueMs ?? 10_000) + RETAIN_MARGIN_MS;
    this.jitter = new TimeJitter(args.timeJitter);
    this.stats = new StreamStats();
  }

  async receive(msg: SourceMsg, ctx: ActorContext): Promise<unknown> {
    switch (msg.type) {
      case 'source/start':
        return this.start(ctx);
      case 'source/media':
        this.ingest(msg.msgType, msg.timestamp, msg.payload, 0, msg.payload.length);
        return undefined;
      case 'source/end':
        ctx.stop();
        return undefined;
      case 'source/reload':
        this.reload(msg.config, ctx);
        return undefined;
      case 'source/stats':
        return { ...this.stats.snapshot(this.videoHeader, this.audioHeader, this.metadataObject), audioFrames: this.stats.audioFrames };
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private async start(ctx: ActorContext): Promise<SourceStartRes> {
    const a = this.args;
    this.log = ctx.log;
    const pool = this.media.chain.pool;
    if (pool.inUse >= pool.blockCount * REFUSE_SHARE) {
      ctx.log.warn({ stream: a.key, blocksInUse: pool.inUse, blocks: pool.blockCount }, 'media memory is full (media.max_memory): publish refused');
      return { ok: false, reason: 'memory' };
    }
    const entry: StreamEntry = {
      key: a.key, vhost: a.vhost, app: a.app, stream: a.stream, param: a.param, tcUrl: a.tcUrl,
      streamId: a.streamId ?? streamIdFor(ctx.self), source: ctx.self, publisherId: a.publisher.clientId,
      media: this.media.handle, gopCache: a.gopCache, startedAt: Date.now(),
    };
    // Live on another origin: busy as a local double publish is (the claim ends with us).
    if (a.claim && !(await claimStream(ctx, a.key, this.services.config))) return { ok: false, reason: 'busy' };
    const res = await ctx.ask<DirRegisterRes>(DIRECTORY_REF, { type: 'dir/register', name: a.key, entry, owner: ctx.self });
    if (!res.ok) return { ok: false, reason: 'busy' };
    // A fan-out reads with one reader per format; HLS and DVR attach theirs just below.
    if (res.subscribers > 0) this.waitingReaders = 2 * res.subscribers + (a.hls.enabled ? 1 : 0) + (a.dvr?.enabled ? 1 : 0);
    this.entry = entry;
    this.self = ctx.self;
    this.services.sources.add(ctx.self, this);
    if (a.hls.enabled) this.startHls(a.hls, ctx);
    spawnDvr(ctx, a.dvr, this.media.handle, { ...a, clientId: a.publisher.clientId, ip: a.publisher.ip, streamId: entry.streamId }, this.services);
    spawnTranscoders(ctx, a.transcode, a, this.services);
    spawnForwarders(ctx, a.forward, this.media.handle, a);
    return { ok: true, entry };
  }

  /**
   * One media message from the publisher, payload[from, to): stored once, synchronously.
   * The bytes are only borrowed for the call (the chunk reader reuses its buffer).
   */
  ingest(type: number, rawTimestamp: number, payload: Uint8Array, from: number, to: number): void {
    const length = to - from;
    this.count(type, length);
    if (type === MSG_DATA_AMF0) {
      const meta = normalizeMetadata(payload.subarray(from, to));
      if (!meta) return;
      this.metadataObject = meta;
      this.metadata = metadataForPlayers(meta, { name: SERVER_NAME, version: SERVER_VERSION });
      // Timestamp 0: ffmpeg's FLV reader takes a later-stamped onMetaData for a data track.
      this.store(MSG_DATA_AMF0, FLAG_METADATA, 0, this.metadata, 0, this.metadata.length);
      return;
    }
    if (type !== MSG_AUDIO && type !== MSG_VIDEO) return;
    if (length === 0) return;
    const ts = this.jitter.correct(rawTimestamp);
    const kind = this.tagKind(type, payload, from, to);
    if (kind === KIND_SEQUENCE_HEADER) this.keepSequenceHeader(type, ts, payload, from, to);
    else this.store(type, this.classify(type, ts, kind), ts, payload, from, to);
  }

  /**
   * The start of a media message whose payload (`length` bytes, the first of them in
   * first[from, to)) arrives in pieces: when its first piece holds the whole tag header and
   * the message is a frame (any codec, legacy or enhanced; not a sequence header, which is
   * kept whole for joiners), it is decided now and stored as it comes (putIngest,
   * endIngest), with no copy on the way; false leaves it to ingest() once assembled.
   */
  openIngest(type: number, rawTimestamp: number, length: number, first: Uint8Array, from: number, to: number): boolean {
    const kind = this.tagKind(type, first, from, to);
    if (kind === KIND_UNREAD || kind === KIND_SEQUENCE_HEADER) return false;
    this.count(type, length);
    const ts = this.jitter.correct(rawTimestamp);
    const flags = this.classify(type, ts, kind);
    this.openFlags = flags;
    this.openTs = ts;
    this.openState = this.begin(type, flags, ts, length, true) ? OPEN_STORING : OPEN_DROPPING;
    return true;
  }

  putIngest(src: Uint8Array, from: number, to: number): void {
    if (this.openState !== OPEN_STORING) return;
    try {
      this.media.putPayload(src, from, to);
    } catch (err) {
      // The record takes its blocks as its bytes come: the pool filled up meanwhile.
      if (!(err instanceof PoolFullError)) throw err;
      this.media.abort();
      this.openState = OPEN_DROPPING;
      this.noteDropped();
    }
  }

  endIngest(): void {
    if (this.openState === OPEN_STORING) this.media.commit();
    this.openState = OPEN_NONE;
  }

  /**
   * The open message goes back to be assembled elsewhere (another chunk stream came
   * between its chunks): its `filled` bytes so far into out[0..], and what was decided
   * about it, for ingestDecided once it is whole.
   */
  spillIngest(out: Uint8Array, filled: number): number {
    const flags = this.openState === OPEN_STORING ? this.openFlags : DROP;
    if (this.openState === OPEN_STORING) {
      this.media.readOpenPayload(out, filled);
      this.media.abort();
    }
    this.openState = OPEN_NONE;
    return decision(flags, this.openTs);
  }

  /** A spilled message, whole: stored as spillIngest's decision said. */
  ingestDecided(type: number, decided: number, payload: Uint8Array, from: number, to: number): void {
    const flags = Math.floor(decided / 2 ** 32);
    if (flags === DROP) return; // counted when it was dropped
    this.store(type, flags, decided % 2 ** 32, payload, from, to);
  }

  private count(type: number, length: number): void {
    this.stats.onReceive(type, length);
    this.counters.messages++;
    this.counters.bytes += length;
  }

  /**
   * What an audio or video payload is, from its tag header alone: KIND_UNREAD when
   * payload[from, to) does not hold the whole header (a first piece that short waits to be
   * assembled; a whole message that short is stored as a frame).
   */
  private tagKind(type: number, payload: Uint8Array, from: number, to: number): number {
    if (to === from) return KIND_UNREAD;
    const b0 = payload[from]!;
    const twoBytes = to - from >= 2;
    if (type === MSG_VIDEO) {
      // Legacy AVC and HEVC (codec ids 7 and 12): two bytes say it all, no parse needed.
      const codec = b0 & 0x0f;
      if ((b0 & 0x80) === 0 && (codec === 7 || codec === 12) && twoBytes) {
        return payload[from + 1] === 0 ? KIND_SEQUENCE_HEADER : b0 >> 4 === 1 ? KIND_KEYFRAME : KIND_FRAME;
      }
      const info = parseVideoTag(payload.subarray(from, to), this.videoInfo);
      if (info.truncated) return KIND_UNREAD;
      return info.sequenceHeader ? KIND_SEQUENCE_HEADER : info.keyframe ? KIND_KEYFRAME : KIND_FRAME;
    }
    if (type !== MSG_AUDIO) return KIND_UNREAD;
    if (b0 >> 4 === 10 && twoBytes) return payload[from + 1] === 0 ? KIND_SEQUENCE_HEADER : KIND_FRAME; // AAC
    const info = parseAudioTag(payload.subarray(from, to), this.audioInfo);
    if (info.truncated) return KIND_UNREAD;
    return info.sequenceHeader ? KIND_SEQUENCE_HEADER : KIND_FRAME;
  }

  /**
   * The record flags of a frame (any tagKind but a sequence header), with what they
   * entail: a keyframe, or an audio-only stream's periodic sync point, starts a GOP (its
   * join records are stored first).
   */
  private classify(type: number, ts: number, kind: number): number {
    if (type === MSG_VIDEO) {
      this.hasVideo = true;
      if (kind !== KIND_KEYFRAME) return 0;
      this.startGop(ts);
      return FLAG_SYNC | FLAG_KEYFRAME;
    }
    if (!this.hasVideo && ts - this.lastAudioSync >= AUDIO_SYNC_INTERVAL_MS) {
      this.lastAudioSync = ts;
      this.startGop(ts);
      return FLAG_SYNC;
    }
    return 0;
  }

  /** A sequence header: kept (a copy, for the GOPs to come) and stored. */
  private keepSequenceHeader(type: number, ts: number, payload: Uint8Array, from: number, to: number): void {
    if (type === MSG_VIDEO) {
      this.hasVideo = true;
      this.videoHeader = payload.slice(from, to);
    } else {
      this.audioHeader = payload.slice(from, to);
    }
    this.store(type, FLAG_SEQUENCE_HEADER, ts, payload, from, to);
  }

  /** Metadata then sequence headers, for readers that start at the record after them. */
  private startGop(ts: number): void {
    const first = this.media.chain.committed + 1;
    if (this.metadata) this.store(MSG_DATA_AMF0, FLAG_JOIN_ONLY | FLAG_METADATA, 0, this.metadata, 0, this.metadata.length);
    if (this.audioHeader) this.store(MSG_AUDIO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, ts, this.audioHeader, 0, this.audioHeader.length);
    if (this.videoHeader) this.store(MSG_VIDEO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, ts, this.videoHeader, 0, this.videoHeader.length);
    this.gopStart = first;
    this.sinceTrim = TRIM_EVERY;
  }

  private store(type: number, flags: number, ts: number, payload: Uint8Array, from: number, to: number): void {
    if (!this.begin(type, flags, ts, to - from)) return;
    this.media.putPayload(payload, from, to);
    this.media.commit();
  }

  /**
   * Begins a record in the chain (`grow`: its blocks taken as its payload comes); false
   * (the message dropped, logged) when the pool is full.
   */
  private begin(type: number, flags: number, ts: number, length: number, grow = false): boolean {
    if (!this.firstTs) this.firstTs = Date.now();
    if (++this.sinceTrim >= TRIM_EVERY) this.retain(false);
    try {
      this.media.begin(type, flags, ts, length, grow);
      return true;
    } catch (err) {
      if (!(err instanceof PoolFullError)) throw err;
    }
    // Keep only the GOP (laggards skip ahead) and try once more.
    this.retain(true);
    try {
      this.media.begin(type, flags, ts, length, grow);
      return true;
    } catch (err) {
      if (!(err instanceof PoolFullError)) throw err;
    }
    this.noteDropped();
    return false;
  }

  private noteDropped(): void {
    this.dropped++;
    const now = Date.now();
    if (now - this.lastDropLog >= DROP_LOG_MS) {
      this.lastDropLog = now;
      this.log?.warn({ stream: this.args.key, dropped: this.dropped }, 'media memory is full (media.max_memory): message dropped');
    }
  }

  /**
   * Lets the chain go of what nobody needs: records before the GOP that no reader still
   * needs, and whatever lies beyond the retention bound (or, under pressure, everything
   * before the GOP).
   */
  private retain(squeeze: boolean): void {
    this.sinceTrim = 0;
    const chain = this.media.chain;
    const head = chain.committed;
    if (head === 0) return;
    // Until the waiting fan-outs have attached, only the bound applies.
    if (this.waitingReaders > 0 && (Date.now() - this.firstTs >= STARTUP_KEEP_MS || chain.readerCount() >= this.waitingReaders)) this.waitingReaders = 0;
    const startup = !squeeze && this.waitingReaders > 0;
    const gop = this.args.gopCache && this.gopStart ? this.gopStart : head + 1;
    let keep: number;
    const pool = chain.pool;
    if (squeeze || pool.inUse >= pool.blockCount * PRESSURE_SHARE) {
      keep = this.args.gopCache && this.gopStart ? this.gopStart : head + 1;
    } else {
      // readers further behind than the bound are lapped (they skip to the newest keyframe)
      const bound = chain.timestampOf(head) - this.retainMs;
      const within = this.firstWithin(bound);
      keep = startup ? within : Math.min(gop, Math.max(chain.minReaderCursor(), within));
    }
    chain.trim(keep);
  }

  /**
   * The record after the last retained media record older than `bound`. Metadata is
   * stamped 0, so it is judged by the media after it.
   */
  private firstWithin(bound: number): number {
    const chain = this.media.chain;
    let keep = chain.oldest;
    for (let seq = keep; seq < chain.committed; seq++) {
      if (chain.flagsOf(seq) & FLAG_METADATA) continue;
      if (chain.timestampOf(seq) >= bound) break;
      keep = seq + 1;
    }
    return keep;
  }

  private startHls(config: HlsConfig, ctx: ActorContext): void {
    const a = this.args;
    const hls: HlsMuxerArgs = { media: this.media.handle, config, vhost: a.vhost, app: a.app, stream: a.stream,
      hook: { ...a, clientId: a.publisher.clientId, ip: a.publisher.ip, streamId: this.entry?.streamId ?? '' }, services: this.services };
    try {
      // fmp4 / low_latency: CMAF served from memory (cmaf-muxer.ts); mpegts as before.
      this.hls = config.variant === 'mpegts' ? ctx.spawn('media/hls', hls) : ctx.spawn('media/cmaf', { ...hls, key: a.key });
      this.hlsConfig = config;
    } catch (err) {
      ctx.log.warn({ stream: a.key, err: (err as Error).message }, 'hls disabled for this stream');
    }
  }

  /** A new configuration: muxers follow the vhost's settings at once. */
  private reload(config: SluiceConfig, ctx: ActorContext): void {
    const vhost = resolveVhost(config, this.args.vhost);
    const hls = vhost?.config.hls;
    if (!hls?.enabled) {
      if (this.hls) ctx.stop(this.hls);
      this.hls = null;
      this.hlsConfig = null;
      return;
    }
    if (this.hls && JSON.stringify(hls) === JSON.stringify(this.hlsConfig)) return;
    if (this.hls) ctx.stop(this.hls);
    this.startHls(hls, ctx);
  }

  stopped(): void {
    // Readers see the end of the chain (its blocks go back once the last one detaches);
    // the directory drops the name with its owner.
    this.openState = OPEN_NONE;
    this.media.close();
    if (this.self) this.services.sources.remove(this.self);
  }

  get streamEntry(): StreamEntry | null {
    return this.entry;
  }
}

/** A fresh API id for a stream (SRS style `vid-xxxxxxx`), unique within the process. */
export function newStreamId(): string {
  return `vid-${newClientId().slice(1)}`;
}

/** A stable API id for the stream (SRS style `vid-xxxxxxx`), unique per publish. */
function streamIdFor(ref: ActorRef): string {
  return `vid-${ref.worker.toString(36)}${ref.id.toString(36).padStart(6, '0')}`;
}

registerActor('media/source', ({ services, ...args }: SourceSpawnArgs) => new StreamSource(args, services));
