// StreamSource: one per live stream, on the worker of its publisher. It owns the
// stream's rings: every media message is corrected in time once and appended once to
// each ring. Before each keyframe it repeats metadata and sequence headers as join-only
// records, so the ring itself is the GOP cache: a reader that starts at the latest sync
// point gets metadata, sequence headers, then the GOP, with nothing kept elsewhere.

import { registerActor, requestCollection, DIRECTORY_REF, type Actor, type ActorContext, type ActorRef } from '../runtime/index.ts';
import { parseVideoTag, createVideoTagInfo } from '../net/codec/video-tag.ts';
import { parseAudioTag, createAudioTagInfo } from '../net/codec/audio-tag.ts';
import { normalizeMetadata, metadataForPlayers } from '../net/rtmp/commands.ts';
import { MediaRingWriter, type MediaRingHandles } from './media-rings.ts';
import { TimeJitter, type JitterMode } from './time-jitter.ts';
import {
  FLAG_SYNC, FLAG_JOIN_ONLY, FLAG_SEQUENCE_HEADER, FLAG_METADATA, FLAG_KEYFRAME,
  MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0,
} from './media-flags.ts';
import { SERVER_NAME, SERVER_VERSION, newClientId } from './server-identity.ts';
import { StreamStats } from './stream-stats.ts';
import type { HlsConfig, SluiceConfig } from '../config/types.ts';
import { addLocalSource, removeLocalSource } from './local-services.ts';
import { resolveVhost } from './vhosts.ts';
import type { HlsMuxerArgs } from './hls-muxer.ts';
import type { DvrConfig, TranscodeConfig } from '../config/types.ts';
import { spawnDvr } from './dvr.ts';
import { spawnTranscoders } from './transcoder.ts';
import { spawnForwarders } from './forwarder.ts';
import type { ForwardPlan } from './forwarder-plan.ts';
import { claimStream } from './cluster-names.ts';

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
  rings: MediaRingHandles;
  gopCache: boolean;
  startedAt: number;
}

export type SourceMsg =
  | { type: 'source/start' }
  | { type: 'source/media'; msgType: number; timestamp: number; payload: Uint8Array }
  | { type: 'source/stats' }
  | { type: 'source/reload'; config: SluiceConfig }
  | { type: 'source/end' };

export type SourceStartRes = { ok: true; entry: StreamEntry } | { ok: false; reason: 'busy' };

// An audio-only stream has no keyframes: offer a join point about this often.
const AUDIO_SYNC_INTERVAL_MS = 1000;

export class StreamSource implements Actor {
  // Reused for every packet: parsing a tag header allocates nothing.
  private readonly videoInfo = createVideoTagInfo();
  private readonly audioInfo = createAudioTagInfo();
  private readonly args: SourceArgs;
  private readonly rings: MediaRingWriter;
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

  constructor(args: SourceArgs) {
    this.args = args;
    this.rings = new MediaRingWriter(args.chunkSize);
    this.jitter = new TimeJitter(args.timeJitter);
    this.stats = new StreamStats();
  }

  async receive(msg: SourceMsg, ctx: ActorContext): Promise<unknown> {
    switch (msg.type) {
      case 'source/start':
        return this.start(ctx);
      case 'source/media':
        this.onMedia(msg.msgType, msg.timestamp, msg.payload);
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
    const entry: StreamEntry = {
      key: a.key, vhost: a.vhost, app: a.app, stream: a.stream, param: a.param, tcUrl: a.tcUrl,
      streamId: a.streamId ?? streamIdFor(ctx.self), source: ctx.self, publisherId: a.publisher.clientId,
      rings: this.rings.handles, gopCache: a.gopCache, startedAt: Date.now(),
    };
    // Live on another origin: busy as a local double publish is (the claim ends with us).
    if (a.claim && !(await claimStream(ctx, a.key))) return { ok: false, reason: 'busy' };
    const res = await ctx.ask<{ ok: boolean }>(DIRECTORY_REF, { type: 'dir/register', name: a.key, entry, owner: ctx.self });
    if (!res.ok) return { ok: false, reason: 'busy' };
    this.entry = entry;
    this.self = ctx.self;
    addLocalSource(ctx.self);
    if (a.hls.enabled) this.startHls(a.hls, ctx);
    spawnDvr(ctx, a.dvr, this.rings.handles.flv, { ...a, clientId: a.publisher.clientId, ip: a.publisher.ip, streamId: entry.streamId });
    spawnTranscoders(ctx, a.transcode, a);
    spawnForwarders(ctx, a.forward, this.rings.handles.flv, a);
    return { ok: true, entry };
  }

  private onMedia(type: number, rawTimestamp: number, payload: Uint8Array): void {
    this.stats.onReceive(type, payload.length);
    sourceCounters.messages++;
    sourceCounters.bytes += payload.length;
    if (type === MSG_DATA_AMF0) {
      const meta = normalizeMetadata(payload);
      if (!meta) return;
      this.metadataObject = meta;
      this.metadata = metadataForPlayers(meta, { name: SERVER_NAME, version: SERVER_VERSION });
      // Timestamp 0: ffmpeg's FLV reader takes a later-stamped onMetaData for a data track.
      this.rings.write(MSG_DATA_AMF0, FLAG_METADATA, 0, this.metadata);
      return;
    }
    if (type !== MSG_AUDIO && type !== MSG_VIDEO) return;
    if (payload.length === 0) return;
    const ts = this.jitter.correct(rawTimestamp);
    if (type === MSG_VIDEO) {
      this.hasVideo = true;
      const info = parseVideoTag(payload, this.videoInfo);
      if (info.sequenceHeader) {
        this.videoHeader = payload.slice();
        this.rings.write(type, FLAG_SEQUENCE_HEADER, ts, payload);
        return;
      }
      if (info.keyframe) {
        this.writeJoinGroup(ts);
        this.rings.write(type, FLAG_SYNC | FLAG_KEYFRAME, ts, payload);
        return;
      }
      this.rings.write(type, 0, ts, payload);
      return;
    }
    const info = parseAudioTag(payload, this.audioInfo);
    if (info.sequenceHeader) {
      this.audioHeader = payload.slice();
      this.rings.write(type, FLAG_SEQUENCE_HEADER, ts, payload);
      return;
    }
    if (!this.hasVideo && ts - this.lastAudioSync >= AUDIO_SYNC_INTERVAL_MS) {
      this.lastAudioSync = ts;
      this.writeJoinGroup(ts);
      this.rings.write(type, FLAG_SYNC, ts, payload);
      return;
    }
    this.rings.write(type, 0, ts, payload);
  }

  /** Metadata then sequence headers, for readers that start at the record after them. */
  private writeJoinGroup(ts: number): void {
    if (this.metadata) this.rings.write(MSG_DATA_AMF0, FLAG_JOIN_ONLY | FLAG_METADATA, 0, this.metadata);
    if (this.audioHeader) this.rings.write(MSG_AUDIO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, ts, this.audioHeader);
    if (this.videoHeader) this.rings.write(MSG_VIDEO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, ts, this.videoHeader);
  }

  private startHls(config: HlsConfig, ctx: ActorContext): void {
    const a = this.args;
    const hls: HlsMuxerArgs = { ring: this.rings.handles.flv, config, vhost: a.vhost, app: a.app, stream: a.stream };
    try {
      this.hls = ctx.spawn('media/hls', hls);
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
    // Readers see the end of the rings; the directory drops the name with its owner.
    this.rings.close();
    if (this.self) removeLocalSource(this.self);
    requestCollection(); // the rings go back to the OS only once collected
  }

  get streamEntry(): StreamEntry | null {
    return this.entry;
  }
}

/** Media messages and bytes received by every source of this thread, for /metrics. */
export const sourceCounters = { messages: 0, bytes: 0 };

/** A fresh API id for a stream (SRS style `vid-xxxxxxx`), unique within the process. */
export function newStreamId(): string {
  return `vid-${newClientId().slice(1)}`;
}

/** A stable API id for the stream (SRS style `vid-xxxxxxx`), unique per publish. */
function streamIdFor(ref: ActorRef): string {
  return `vid-${ref.worker.toString(36)}${ref.id.toString(36).padStart(6, '0')}`;
}

registerActor('media/source', (args: SourceArgs) => new StreamSource(args));
