// HlsMuxer: a reader of a stream's chain on the publisher's worker. It muxes the
// stream into MPEG-TS as it arrives, cuts segments on keyframes once `fragment` seconds
// have passed, keeps about `window` seconds in the playlist, ends the playlist when the
// stream ends, and deletes the files per `cleanup`/`dispose`. The sequence numbers go on
// across a republish, and the join is marked as a discontinuity. The files are written by
// the file-work pool, a segment and then the playlist that names it in one job, so a
// player never sees a segment listed before it is complete, and this thread (which owns
// players' sockets) never waits on the disk; on_hls fires once the job is done. A segment
// is muxed into blocks of the media pool and handed to the file-work pool as block numbers:
// nothing is allocated per frame or per segment, and the memory is the pool's (bounded by
// media.max_memory). A segment the pool has no room for (files give way to live streams
// first: pool-shares.ts) is dropped, and the playlist marks the gap as a discontinuity.

import { registerActor, poolFor, releaseBlockBytes, ChainReader, type Actor, type ActorContext, type BlockBuffer, type BlockPool } from '../../runtime/index.ts';
import { PayloadScratch, drainMedia, type MediaChainHandle, type MediaHandler } from '../stream/media-chain.ts';
import type { HlsConfig } from '../../config/types.ts';
import { TsMuxer, type TsAudioCodec, type TsVideoCodec } from '../../net/mpegts/ts-muxer.ts';
import { HlsSegmenter, type SegmentDecision } from '../../net/hls/segmenter.ts';
import { PlaylistWindow } from '../../net/hls/playlist-window.ts';
import { parseVideoTag, createVideoTagInfo } from '../../net/codec/video-tag.ts';
import { parseAudioTag, createAudioTagInfo } from '../../net/codec/audio-tag.ts';
import { HlsSegmentFiles, type HlsNames } from './hls-segment-files.ts';
import { MSG_AUDIO, MSG_VIDEO } from '../stream/media-flags.ts';
import { fileBlockBuffer } from '../stream/pool-shares.ts';
import { hlsSegmentHook, type HlsSubject } from '../hooks/hls-hook.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import { fileWork } from '../files/file-work.ts';
import type { FileOp } from '../files/file-ops.ts';
import { cancelDisposal, scheduleDisposal } from './hls-disposal.ts';

export interface HlsMuxerArgs extends HlsNames {
  media: MediaChainHandle;
  config: HlsConfig;
  /** The publisher, for the on_hls hook of each completed segment (hls-hook.ts). */
  hook?: HlsSubject;
  /** The worker's: its disposal timers (they outlive the muxer), and what the hook needs. */
  services: WorkerServices;
}

export type HlsMuxerMsg = { type: 'hls/tick' };

export interface HlsSegmentEvent {
  file: string;
  uri: string;
  m3u8: string;
  duration: number;
  seq: number;
}

const TICK_MS = 100;

export class HlsMuxer implements Actor, MediaHandler {
  // Reused for every packet: parsing a tag header allocates nothing.
  private readonly videoInfo = createVideoTagInfo();
  private readonly audioInfo = createAudioTagInfo();
  private readonly args: HlsMuxerArgs;
  // Disposal timers outlive the muxer that set them; a republish cancels its stream's.
  private readonly disposals: Map<string, NodeJS.Timeout>;
  private readonly reader: ChainReader;
  private readonly scratch = new PayloadScratch();
  private readonly files: HlsSegmentFiles;
  private readonly window: PlaylistWindow;
  private segmenter: HlsSegmenter | null = null;
  private muxer: TsMuxer | null = null;
  private videoConfig: Uint8Array | null = null;
  private audioConfig: Uint8Array | null = null;
  private audioCodec: TsAudioCodec | null = null;
  private videoCodec: TsVideoCodec | null = null;
  private readonly blocks: BlockPool;
  /** The segment being muxed, in pool blocks. */
  private readonly segment: BlockBuffer;
  private framesInSegment = 0;
  /** The pool had no room for part of the segment: it is dropped at its cut. */
  private segmentLost = false;
  private segmentSeq = -1;
  private readonly ctx: ActorContext;
  private readonly onSegment: ((ev: HlsSegmentEvent) => void) | null;
  private failed = false;

  constructor(args: HlsMuxerArgs, ctx: ActorContext, onSegment?: (ev: HlsSegmentEvent) => void) {
    this.args = args;
    this.disposals = args.services.hlsDisposals;
    this.ctx = ctx;
    this.onSegment = onSegment ?? null;
    this.reader = new ChainReader(args.media.chain, { startAt: 'oldest', autoRelease: true });
    this.blocks = poolFor(args.media.chain.pool);
    this.segment = fileBlockBuffer(this.blocks);
    this.files = new HlsSegmentFiles(args.config, args);
    cancelDisposal(this.disposals, this.files.m3u8Path);
    this.window = this.adoptPreviousWindow();
    ctx.every(TICK_MS, { type: 'hls/tick' });
  }

  /**
   * A republish within `dispose` carries on the playlist left on disk (as SRS does): its
   * segments stay in the window, the sequence numbers go on, and the join is marked as a
   * discontinuity. This muxer then owns those files (their cleanup included).
   */
  private adoptPreviousWindow(): PlaylistWindow {
    const prev = this.files.previousPlaylist();
    const window = new PlaylistWindow({ window: this.args.config.window, firstSequence: prev?.mediaSequence ?? 0 });
    if (!prev) return window;
    for (const seg of prev.segments) {
      if (seg.discontinuity) window.markDiscontinuity();
      window.add({ uri: seg.uri, duration: seg.duration });
    }
    window.end();
    return window;
  }

  receive(msg: HlsMuxerMsg): unknown {
    switch (msg.type) {
      case 'hls/tick':
        this.drain();
        return undefined;
      default: {
        const never: never = msg.type;
        return never;
      }
    }
  }

  /** Mux every record the chain has for us. */
  private drain(): void {
    if (this.failed) return;
    try {
      drainMedia(this.reader, this.scratch, this.args.media.chunkSize, this);
    } catch (err) {
      // A stream we cannot mux stops HLS for this stream only.
      this.failed = true;
      this.ctx.log.warn({ stream: this.args.stream, err: (err as Error).message }, 'hls muxing stopped');
    }
  }

  onLap(): void {
    this.ctx.log.warn({ stream: this.args.stream }, 'hls muxer fell behind what the stream keeps: skipping to the latest keyframe');
    this.segmenter?.markDiscontinuity();
  }

  onVideo(ts: number, body: Uint8Array): void {
    const info = parseVideoTag(body, this.videoInfo);
    const payload = body.subarray(info.headerLength);
    if (info.sequenceHeader) {
      if (info.codec === 'H264' || info.codec === 'H265') {
        this.videoCodec = info.codec;
        this.videoConfig = Uint8Array.from(payload);
        this.muxer?.video && this.muxer.setVideoConfig(this.videoConfig);
      }
      return;
    }
    if (!this.videoCodec || info.codec !== this.videoCodec || info.command || info.endOfSequence) return;
    const decision = this.segmenterFor().onVideo(ts, info.keyframe);
    if (!this.apply(decision, ts)) return;
    if (!this.muxer?.video) return;
    this.addFrame(this.muxer.writeVideo(ts, info.compositionTime, info.keyframe, payload));
  }

  onAudio(ts: number, body: Uint8Array): void {
    const info = parseAudioTag(body, this.audioInfo);
    const payload = body.subarray(info.headerLength);
    if (info.codec === 'AAC' && info.sequenceHeader) {
      this.audioCodec = 'AAC';
      this.audioConfig = Uint8Array.from(payload);
      if (this.muxer?.audio === 'AAC') this.muxer.setAudioConfig(this.audioConfig);
      return;
    }
    if (info.codec === 'MP3') this.audioCodec = 'MP3';
    if (!this.audioCodec || info.codec !== this.audioCodec) return;
    const decision = this.segmenterFor().onAudio(ts);
    if (!this.apply(decision, ts)) return;
    if (!this.muxer?.audio) return;
    this.addFrame(this.muxer.writeAudio(ts, payload));
  }

  private addFrame(packets: Uint8Array): void {
    if (this.segmentSeq < 0) return;
    this.framesInSegment++;
    this.append(packets);
  }

  private append(packets: Uint8Array): void {
    if (this.segmentLost || this.segment.append(packets)) return;
    this.segmentLost = true;
    this.segment.discard();
    this.ctx.log.warn({ stream: this.args.stream, seq: this.segmentSeq }, 'hls segment dropped: the media pool is nearly full (media.max_memory)');
  }

  /** The segmenter, made once we know whether the stream has video. */
  private segmenterFor(): HlsSegmenter {
    if (!this.segmenter) this.segmenter = new HlsSegmenter({ fragment: this.args.config.fragment, hasVideo: this.videoCodec !== null });
    return this.segmenter;
  }

  /** Acts on a segmenter decision; false when the frame is to be dropped. */
  private apply(decision: SegmentDecision, _ts: number): boolean {
    if (decision === 'drop') return false;
    if (decision === 'continue') return true;
    this.closeSegment(this.segmenter!.closedDurationMs);
    if (decision === 'cut-discontinuity') this.window.markDiscontinuity();
    this.openSegment();
    return true;
  }

  private openSegment(): void {
    if (!this.muxer) {
      this.muxer = new TsMuxer({ video: this.videoCodec, audio: this.audioCodec });
      if (this.videoConfig && this.muxer.video) this.muxer.setVideoConfig(this.videoConfig);
      if (this.audioConfig && this.muxer.audio === 'AAC') this.muxer.setAudioConfig(this.audioConfig);
    }
    this.segmentSeq = this.window.nextSequence;
    this.framesInSegment = 0;
    this.append(this.muxer.startSegment());
  }

  private closeSegment(durationMs: number): void {
    const seq = this.segmentSeq;
    const frames = this.framesInSegment;
    const lost = this.segmentLost;
    this.segmentSeq = -1;
    this.framesInSegment = 0;
    this.segmentLost = false;
    const data = this.segment.take();
    // the players must not take what follows a dropped segment for a continuation
    if (lost) this.window.markDiscontinuity();
    if (data === null) return;
    if (lost || seq < 0 || frames === 0 || durationMs < 0) {
      releaseBlockBytes(this.blocks, data);
      return;
    }
    const file = this.files.segmentPath(seq);
    const ops: FileOp[] = [{ op: 'write', path: file, data }];
    const uri = this.files.segmentUri(seq);
    const { removed } = this.window.add({ uri, duration: durationMs / 1000 });
    ops.push({ op: 'write', path: this.files.m3u8Path, data: this.window.render() });
    if (this.args.config.cleanup) for (const r of removed) ops.push({ op: 'remove', path: this.files.segmentPath(r.sequence) });
    this.write(ops, { file, uri, m3u8: this.files.m3u8Path, duration: durationMs / 1000, seq });
  }

  /** Hands a job to the file-work pool; on_hls once it is done; a failed write stops HLS for this stream. */
  private write(ops: FileOp[], segment: HlsSegmentEvent | null): void {
    void fileWork(this.files.m3u8Path, ops, this.blocks).then((failure) => {
      if (failure) {
        if (!this.failed) this.ctx.log.warn({ stream: this.args.stream, file: failure.path, err: failure.message }, 'hls muxing stopped');
        this.failed = true;
        return;
      }
      if (segment) this.onSegment?.(segment);
    });
  }

  stopped(): void {
    this.drain();
    if (this.segmenter) {
      const duration = this.segmenter.close();
      this.closeSegment(duration);
    }
    this.segment.discard();
    this.reader.close();
    if (this.window.segments.length === 0) return;
    this.window.end();
    const finalText = this.window.render();
    this.write([{ op: 'write', path: this.files.m3u8Path, data: finalText }], null);
    if (!this.args.config.cleanup) return;
    const segments = this.window.segments.map((s) => this.files.segmentPath(s.sequence));
    scheduleDisposal(this.disposals, this.files.m3u8Path, finalText, segments, this.args.config.dispose);
  }
}

registerActor('media/hls', (args: HlsMuxerArgs, ctx: ActorContext) =>
  new HlsMuxer(args, ctx, args.hook ? hlsSegmentHook(args.hook, args.config.path, ctx.log, args.services) : undefined));
