// CmafMuxer: the fmp4 and low_latency HLS variants of a stream (`hls.variant`), on the
// publisher's worker. Like HlsMuxer it reads the stream's chain (copying each payload it
// keeps: the scratch buffer is reused), but muxes CMAF through CmafSegmenter and lists it in
// an Fmp4Window. What it makes lives in memory first: the init segments, the parts still
// listed and the last few segments, plus the rendered playlist. It is registered in the
// directory as `hls:<vhost/app/stream>`; each worker whose viewers want the stream subscribes
// its HlsLiveStore, gets the whole state once and then every change, and answers requests
// from its copy (hls-live-mirror.ts). Segments, init segments and the playlist (without
// parts) also go to disk, asynchronously (cmaf-files.ts), for cleanup/dispose, plain file
// serving after the end, and on_hls.

import { registerActor, poolFor, DIRECTORY_REF, ChainReader, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import { PayloadScratch, drainMedia, type MediaChainHandle, type MediaHandler } from '../stream/media-chain.ts';
import type { HlsConfig } from '../../config/types.ts';
import { parseVideoTag, createVideoTagInfo } from '../../net/codec/video-tag.ts';
import { parseAudioTag, createAudioTagInfo } from '../../net/codec/audio-tag.ts';
import { CmafSegmenter, type CmafEvent } from '../../net/hls/cmaf-segmenter.ts';
import { Fmp4Window } from '../../net/hls/fmp4-window.ts';
import { withoutParts } from '../../net/hls/fmp4-names.ts';
import { parseMediaPlaylist } from '../../net/hls/m3u8.ts';
import { aacTrack, avcTrack, hevcTrack, opusTrack, type Mp4Track } from '../../net/mp4/track.ts';
import { MSG_AUDIO, MSG_VIDEO } from '../stream/media-flags.ts';
import { CmafFiles } from './cmaf-files.ts';
import type { HlsNames } from './hls-segment-files.ts';
import type { HlsSegmentEvent } from './hls-muxer.ts';
import { hlsSegmentHook, type HlsSubject } from '../hooks/hls-hook.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import type { LiveUpdate } from './hls-live-mirror.ts';
import type { CmafSubscribeMsg } from './hls-live-store.ts';
import { cancelDisposal, scheduleDisposal } from './hls-disposal.ts';

export interface CmafMuxerArgs extends HlsNames {
  /** vhost/app/stream: the directory name is `hls:<key>`. */
  key: string;
  media: MediaChainHandle;
  config: HlsConfig;
  hook?: HlsSubject;
  /** The worker's: its disposal timers (they outlive the muxer), and what the hook needs. */
  services: WorkerServices;
}

export type CmafMuxerMsg = { type: 'cmaf/tick' } | CmafSubscribeMsg | { type: 'sys/down'; ref: ActorRef };

// A part is useless to a viewer until it is read from the chain: low latency polls often.
const TICK_MS = 100;
const LOW_LATENCY_TICK_MS = 20;
/** Complete segments kept in memory besides the parts (older ones are served from disk). */
const MEMORY_SEGMENTS = 4;

type Tracks = { video?: Mp4Track; audio?: Mp4Track };

export class CmafMuxer implements Actor, MediaHandler {
  private readonly videoInfo = createVideoTagInfo();
  private readonly audioInfo = createAudioTagInfo();
  private readonly args: CmafMuxerArgs;
  // Disposal timers outlive the muxer that set them; a republish cancels its stream's.
  private readonly disposals: Map<string, NodeJS.Timeout>;
  private readonly ctx: ActorContext;
  private readonly reader: ChainReader;
  private readonly scratch = new PayloadScratch();
  private readonly files: CmafFiles;
  private readonly lowLatency: boolean;
  private readonly onSegment: ((ev: HlsSegmentEvent) => void) | null;
  private tracks: Tracks = {};
  private videoConfig: Uint8Array | null = null;
  private audioConfig: Uint8Array | null = null;
  private segmenter: CmafSegmenter | null = null;
  private window: Fmp4Window | null = null;
  /** Where numbering starts, and whether it carries on an earlier publish's playlist. */
  private readonly firstMsn: number;
  private readonly firstDiscontinuitySequence: number;
  private readonly adopted: string[] = [];
  /** Paths of the segment being written (its parts derive from it). */
  private openPath: string | null = null;
  /** Memory: every file by its name under hls.path; parts and segments in order of arrival. */
  private readonly memory = new Map<string, Uint8Array>();
  private readonly memParts: string[] = [];
  private readonly memSegments: string[] = [];
  private readonly diskFiles: string[] = [];
  private put: [string, Uint8Array][] = [];
  private drop: string[] = [];
  private changed = false;
  private readonly subscribers: ActorRef[] = [];
  private registered = false;
  private registering = false;
  private failed = false;

  constructor(args: CmafMuxerArgs, ctx: ActorContext, onSegment?: (ev: HlsSegmentEvent) => void) {
    this.args = args;
    this.disposals = args.services.hlsDisposals;
    this.ctx = ctx;
    this.onSegment = onSegment ?? null;
    this.lowLatency = args.config.variant === 'low_latency';
    this.reader = new ChainReader(args.media.chain, { startAt: 'oldest', autoRelease: true });
    this.files = new CmafFiles(args.config, args, ctx.log, poolFor(args.media.chain.pool));
    cancelDisposal(this.disposals, this.files.m3u8Path);
    const prev = this.adoptPrevious();
    this.firstMsn = prev.msn;
    this.firstDiscontinuitySequence = prev.dseq;
    this.register();
    ctx.every(this.lowLatency ? LOW_LATENCY_TICK_MS : TICK_MS, { type: 'cmaf/tick' });
  }

  /**
   * A republish within `dispose` carries on the numbering of the playlist left on disk (as
   * the mpegts variant does), marked as a discontinuity, so a viewer polling across it just
   * goes on; the earlier segments are not listed again but are this muxer's to clean up.
   */
  private adoptPrevious(): { msn: number; dseq: number } {
    const text = this.files.previousPlaylist();
    if (text === null) return { msn: 0, dseq: 0 };
    try {
      const p = parseMediaPlaylist(text);
      for (const s of p.segments) {
        const path = this.files.pathOfUri(s.uri);
        if (path) this.adopted.push(path);
      }
      for (const m of text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)) {
        const path = this.files.pathOfUri(m[1]!);
        if (path) this.adopted.push(path);
      }
      const discontinuities = p.segments.filter((s) => s.discontinuity).length;
      return { msn: p.mediaSequence + p.segments.length, dseq: p.discontinuitySequence + discontinuities };
    } catch {
      return { msn: 0, dseq: 0 };
    }
  }

  /** `hls:<key>` in the directory: how other workers find us. Retried while a predecessor holds it. */
  private register(): void {
    if (this.registering) return;
    this.registering = true;
    const name = `hls:${this.args.key}`;
    this.ctx
      .ask<{ ok: boolean }>(DIRECTORY_REF, { type: 'dir/register', name, entry: { muxer: this.ctx.self }, owner: this.ctx.self })
      .then((r) => {
        this.registered = r.ok;
      })
      .catch(() => undefined)
      .finally(() => {
        this.registering = false;
      });
  }

  receive(msg: CmafMuxerMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'cmaf/tick':
        if (!this.registered) this.register();
        this.drain();
        return undefined;
      case 'cmaf/subscribe':
        if (!this.subscribers.some((s) => s.worker === msg.store.worker && s.id === msg.store.id)) {
          this.subscribers.push(msg.store);
          ctx.watch(msg.store);
        }
        ctx.tell(msg.store, { type: 'hls-store/update', update: this.update(true) });
        return undefined;
      case 'cmaf/unsubscribe':
      case 'sys/down': {
        const ref = msg.type === 'sys/down' ? msg.ref : msg.store;
        const i = this.subscribers.findIndex((s) => s.worker === ref.worker && s.id === ref.id);
        if (i >= 0) this.subscribers.splice(i, 1);
        return undefined;
      }
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private drain(): void {
    if (this.failed) return;
    try {
      drainMedia(this.reader, this.scratch, this.args.media.chunkSize, this);
    } catch (err) {
      this.failed = true;
      this.ctx.log.warn({ stream: this.args.stream, err: (err as Error).message }, 'hls muxing stopped');
    }
    this.publish();
  }

  onLap(): void {
    this.ctx.log.warn({ stream: this.args.stream }, 'hls muxer fell behind what the stream keeps: skipping to the latest keyframe');
  }

  onVideo(ts: number, body: Uint8Array): void {
    const info = parseVideoTag(body, this.videoInfo);
    const payload = body.subarray(info.headerLength);
    if (info.sequenceHeader) {
      if (info.codec !== 'H264' && info.codec !== 'H265') return;
      if (this.videoConfig !== null && sameBytes(this.videoConfig, payload)) return;
      this.videoConfig = Uint8Array.from(payload);
      const video = info.codec === 'H264' ? avcTrack(this.videoConfig, 1) : hevcTrack(this.videoConfig, 1);
      this.setTracks({ ...this.tracks, video });
      return;
    }
    if (this.tracks.video === undefined || info.command || info.endOfSequence) return;
    if ((info.codec === 'H264') !== (this.tracks.video.entry.format === 'avc1')) return;
    // `payload` is a view of the chain or the scratch: the fragmenter's track queue copies it.
    this.handle(this.segmenterFor().pushVideo({ dts: ts, cts: info.compositionTime, keyframe: info.keyframe, data: payload }));
  }

  onAudio(ts: number, body: Uint8Array): void {
    const info = parseAudioTag(body, this.audioInfo);
    const payload = body.subarray(info.headerLength);
    if (info.sequenceHeader) {
      if (info.codec !== 'AAC' && info.codec !== 'Opus') return;
      if (this.audioConfig !== null && sameBytes(this.audioConfig, payload)) return;
      this.audioConfig = Uint8Array.from(payload);
      const audio = info.codec === 'AAC' ? aacTrack(this.audioConfig, 2) : opusTrack(this.audioConfig, 2);
      this.setTracks({ ...this.tracks, audio });
      return;
    }
    if (this.tracks.audio === undefined) return;
    if ((info.codec === 'AAC') !== (this.tracks.audio.entry.format === 'mp4a')) return;
    this.handle(this.segmenterFor().pushAudio({ dts: ts, cts: 0, keyframe: true, data: payload }));
  }

  private setTracks(tracks: Tracks): void {
    this.tracks = tracks;
    this.segmenter?.setTracks(tracks);
  }

  private segmenterFor(): CmafSegmenter {
    this.segmenter ??= new CmafSegmenter(this.tracks, {
      fragment: this.args.config.fragment,
      ...(this.lowLatency ? { partMs: this.args.config.part_ms } : {}),
    });
    return this.segmenter;
  }

  private handle(events: CmafEvent[]): void {
    for (const e of events) {
      if (e.type === 'segment-start') this.segmentStart(e.init, e.discontinuity);
      else if (e.type === 'part') this.part(e.bytes, e.durationMs, e.independent);
      else this.segmentEnd(e.bytes, e.durationMs);
    }
  }

  private segmentStart(init: Uint8Array | null, discontinuity: boolean): void {
    const msn = this.window?.nextMsn ?? this.firstMsn;
    this.openPath = this.files.segmentPath(msn);
    if (init !== null) {
      const path = this.files.initPath(msn);
      const uri = this.files.uriOf(path);
      this.keep(path, init, 'init');
      this.files.write(path, init);
      this.diskFiles.push(path);
      if (this.window === null) {
        this.window = new Fmp4Window({
          window: this.args.config.window,
          targetDuration: this.args.config.fragment,
          map: uri,
          firstMsn: this.firstMsn,
          firstDiscontinuitySequence: this.firstDiscontinuitySequence,
          ...(this.lowLatency ? { partTarget: this.args.config.part_ms / 1000 } : {}),
        });
        if (this.adopted.length > 0) this.window.markDiscontinuity();
      } else {
        this.window.markDiscontinuity(uri);
      }
    } else if (discontinuity) {
      this.window?.markDiscontinuity();
    }
    this.hintNext();
  }

  private part(bytes: Uint8Array, durationMs: number, independent: boolean): void {
    const w = this.window;
    if (w === null || this.openPath === null) return;
    const path = this.files.partPath(this.openPath, w.nextPart);
    w.addPart({ uri: this.files.uriOf(path), duration: durationMs / 1000, independent });
    this.keep(path, bytes, 'part');
    this.hintNext();
  }

  private segmentEnd(bytes: Uint8Array, durationMs: number): void {
    const w = this.window;
    if (w === null || this.openPath === null) return;
    const path = this.openPath;
    this.openPath = null;
    const { msn, removed } = w.addSegment({ uri: this.files.uriOf(path), duration: durationMs / 1000 });
    this.keep(path, bytes, 'segment');
    this.diskFiles.push(path);
    // Parts no longer listed, segments beyond the few kept: out of memory (still on disk).
    const listed = new Set<string>();
    for (const s of w.segments) for (const p of s.parts ?? []) listed.add(p.uri);
    while (this.memParts.length > 0 && !listed.has(this.files.uriOf(this.memParts[0]!))) this.forget(this.memParts.shift()!);
    while (this.memSegments.length > MEMORY_SEGMENTS) this.forget(this.memSegments.shift()!);
    const removedPaths = removed.map((r) => this.files.pathOfUri(r.uri)).filter((p): p is string => p !== null);
    for (const p of removedPaths) if (this.memory.has(this.files.nameOf(p))) this.forget(p);
    this.files.write(path, bytes);
    this.files.write(this.files.m3u8Path, withoutParts(w.render()));
    if (this.args.config.cleanup) {
      for (const p of removedPaths) {
        this.files.remove(p);
        const i = this.diskFiles.indexOf(p);
        if (i >= 0) this.diskFiles.splice(i, 1);
      }
    }
    const ev: HlsSegmentEvent = { file: path, uri: this.files.uriOf(path), m3u8: this.files.m3u8Path, duration: durationMs / 1000, seq: msn };
    // on_hls after the file is on disk: a receiver may read it.
    if (this.onSegment) this.files.after(() => this.onSegment!(ev));
  }

  private hintNext(): void {
    const w = this.window;
    if (!this.lowLatency || w === null || this.openPath === null) return;
    w.setPreloadHint(this.files.uriOf(this.files.partPath(this.openPath, w.nextPart)));
  }

  private keep(path: string, bytes: Uint8Array, kind: 'init' | 'part' | 'segment'): void {
    const name = this.files.nameOf(path);
    this.memory.set(name, bytes);
    this.put.push([name, bytes]);
    if (kind === 'part') this.memParts.push(path);
    else if (kind === 'segment') this.memSegments.push(path);
    this.changed = true;
  }

  private forget(path: string): void {
    const name = this.files.nameOf(path);
    if (!this.memory.delete(name)) return;
    this.drop.push(name);
    this.changed = true;
  }

  /** The state for a new subscriber (`snapshot`), or what changed since the last update. */
  private update(snapshot: boolean): LiveUpdate {
    const w = this.window;
    const hint = this.lowLatency && w !== null && this.openPath !== null ? this.files.nameOf(this.files.partPath(this.openPath, w.nextPart)) : null;
    return {
      key: this.args.key,
      muxer: this.ctx.self,
      snapshot,
      put: snapshot ? [...this.memory] : this.put,
      drop: snapshot ? [] : this.drop,
      playlist: w === null ? '' : w.render(),
      reload: w === null ? { lastMsn: -1, lastPart: null, partTarget: null, ended: false } : w.reloadState(),
      hint,
      open: this.openPath === null ? null : this.files.nameOf(this.openPath),
      targetDuration: this.args.config.fragment,
      lowLatency: this.lowLatency,
    };
  }

  /** Sends what changed to every subscribed worker: one message each per tick. */
  private publish(): void {
    if (!this.changed) return;
    const u = this.update(false);
    this.put = [];
    this.drop = [];
    this.changed = false;
    for (const s of this.subscribers) this.ctx.tell(s, { type: 'hls-store/update', update: u });
  }

  stopped(): void {
    this.finish();
    // after the last segment's write: the block it might have gone on in
    this.files.close();
  }

  private finish(): void {
    this.drain();
    if (this.segmenter) this.handle(this.segmenter.end());
    this.reader.close();
    const w = this.window;
    if (w === null) return;
    w.end();
    this.changed = true;
    try {
      this.publish();
    } catch {
      // the stores see us go (sys/down) and answer with what they have
    }
    const finalText = withoutParts(w.render());
    this.files.write(this.files.m3u8Path, finalText);
    if (!this.args.config.cleanup) return;
    scheduleDisposal(this.disposals, this.files.m3u8Path, finalText, [...this.diskFiles, ...this.adopted], this.args.config.dispose);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

registerActor('media/cmaf', (args: CmafMuxerArgs, ctx: ActorContext) =>
  new CmafMuxer(args, ctx, args.hook ? hlsSegmentHook(args.hook, args.config.path, ctx.log, args.services) : undefined));
