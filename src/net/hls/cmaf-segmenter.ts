// CmafSegmenter: FLV samples in, fMP4 segments and LL-HLS parts out, as events for the HLS
// actor to store and list (Fmp4Window). It combines HlsSegmenter (when a segment is due:
// a keyframe after `fragment` seconds, time for audio-only, discontinuities) with
// Mp4Fragmenter (the bytes), and adds what fMP4 needs on top:
//
// - A cut is decided when its sample arrives but made once every track has reached it
//   (Mp4Fragmenter.isComplete), so no audio frame before the cut is left for the next part;
//   a track silent for `giveUpMs` past a cut no longer holds it.
// - Parts (low latency) are cut on the main track (video, else audio) before the sample that
//   would carry the part past `partMs`, judged by the last sample interval, so parts stay
//   within the advertised PART-TARGET for a steady frame rate.
// - A timestamp step back that HlsSegmenter lets through (under `backJumpMs`) cannot be
//   stored in MP4 (a negative duration): the sample's dts is raised to the previous one and
//   its composition offset lowered to match, so its pts is unchanged. Audio that jumps ahead
//   of the video by more than `jumpMs`, or back, before the video's cut is dropped.
// - A discontinuity (or new tracks) ends the segment at once, its last durations estimated,
//   and starts a new Mp4Fragmenter; the event says whether the init segment changed.
//
// Events, in order: 'segment-start' (with the init segment when it is new), 'part' (low
// latency only), 'segment-end' (the whole segment: its parts' bytes back to back).

import type { Mp4Fragment, Mp4Sample } from '../mp4/fragmenter.ts';
import { Mp4Fragmenter } from '../mp4/fragmenter.ts';
import type { Mp4Track } from '../mp4/track.ts';
import { HlsSegmenter, type SegmentDecision } from './segmenter.ts';

export type CmafEvent =
  | { type: 'segment-start'; startMs: number; discontinuity: boolean; init: Uint8Array | null }
  | { type: 'part'; bytes: Uint8Array; startMs: number; durationMs: number; independent: boolean }
  | { type: 'segment-end'; bytes: Uint8Array; startMs: number; durationMs: number };

export type CmafSegmenterOptions = {
  /** Target segment length, seconds (hls_fragment). */
  fragment: number;
  /** Part target, ms (hls.part_ms): low-latency parts when set. */
  partMs?: number;
  /** Default 1000. */
  giveUpMs?: number;
  jumpMs?: number;
  backJumpMs?: number;
};

type Cut = { atMs: number; segment: boolean };

export class CmafSegmenter {
  private readonly opts: CmafSegmenterOptions;
  private readonly segmenter: HlsSegmenter;
  private tracks: { video?: Mp4Track; audio?: Mp4Track };
  private tracksChanged = true;
  private fragmenter: Mp4Fragmenter | null = null;
  private lastInit: Uint8Array | null = null;
  private readonly cuts: Cut[] = [];
  private open: Mp4Fragment[] | null = null;
  private partStart = 0;
  private lastMainDts = Number.NEGATIVE_INFINITY;
  private lastDelta = 0;

  constructor(tracks: { video?: Mp4Track; audio?: Mp4Track }, opts: CmafSegmenterOptions) {
    this.opts = opts;
    this.tracks = tracks;
    this.segmenter = new HlsSegmenter({
      fragment: opts.fragment,
      hasVideo: tracks.video !== undefined,
      ...(opts.jumpMs !== undefined ? { jumpMs: opts.jumpMs } : {}),
      ...(opts.backJumpMs !== undefined ? { backJumpMs: opts.backJumpMs } : {}),
    });
  }

  /** New sequence headers: the next segment starts under a new init segment. */
  setTracks(tracks: { video?: Mp4Track; audio?: Mp4Track }): void {
    this.tracks = tracks;
    this.tracksChanged = true;
  }

  pushVideo(sample: Mp4Sample): CmafEvent[] {
    if (this.tracks.video === undefined) return [];
    return this.push('video', sample, this.segmenter.onVideo(sample.dts, sample.keyframe));
  }

  pushAudio(sample: Mp4Sample): CmafEvent[] {
    if (this.tracks.audio === undefined) return [];
    if (this.tracks.video !== undefined && this.fragmenter !== null) {
      const audio = this.fragmenter.audio;
      const video = this.fragmenter.video?.newestDts ?? Number.NEGATIVE_INFINITY;
      if (audio !== null && sample.dts < audio.newestDts) return [];
      if (video !== Number.NEGATIVE_INFINITY && sample.dts - video > (this.opts.jumpMs ?? 10000)) return [];
    }
    return this.push('audio', sample, this.segmenter.onAudio(sample.dts));
  }

  /** The stream ended: the open segment closes with what it has. */
  end(): CmafEvent[] {
    const events: CmafEvent[] = [];
    this.finish(events);
    this.segmenter.close();
    return events;
  }

  private push(kind: 'video' | 'audio', sample: Mp4Sample, decision: SegmentDecision): CmafEvent[] {
    if (decision === 'drop') return [];
    const events: CmafEvent[] = [];
    const discontinuity = decision === 'cut-discontinuity';
    // A new timeline or new tracks: this sample starts the next segment in a new fragmenter.
    const restarted = this.fragmenter === null || (decision !== 'continue' && (discontinuity || this.tracksChanged));
    if (restarted) {
      this.finish(events);
      this.restart(events, sample.dts, discontinuity);
    }
    const s = this.monotonic(kind, sample);
    if (kind === 'video') this.fragmenter!.pushVideo(s);
    else this.fragmenter!.pushAudio(s);
    const main = kind === 'video' || this.tracks.video === undefined;
    if (decision === 'cut' && !restarted) {
      this.cuts.push({ atMs: s.dts, segment: true });
      this.partStart = s.dts;
    } else if (main && this.opts.partMs !== undefined && s.dts - this.partStart + this.lastDelta > this.opts.partMs) {
      this.cuts.push({ atMs: s.dts, segment: false });
      this.partStart = s.dts;
    }
    if (main) {
      if (this.lastMainDts !== Number.NEGATIVE_INFINITY) this.lastDelta = s.dts - this.lastMainDts;
      this.lastMainDts = s.dts;
    }
    this.makeCuts(events, s.dts);
    return events;
  }

  /** MP4 cannot go back in decode time: raise dts to the previous one, keeping pts. */
  private monotonic(kind: 'video' | 'audio', s: Mp4Sample): Mp4Sample {
    const q = kind === 'video' ? this.fragmenter!.video : this.fragmenter!.audio;
    const last = q?.newestDts ?? Number.NEGATIVE_INFINITY;
    return s.dts >= last ? s : { ...s, dts: last, cts: s.cts + s.dts - last };
  }

  private makeCuts(events: CmafEvent[], nowMs: number): void {
    const giveUp = this.opts.giveUpMs ?? 1000;
    while (this.cuts.length > 0 && (this.fragmenter!.isComplete(this.cuts[0]!.atMs) || nowMs - this.cuts[0]!.atMs > giveUp)) {
      const cut = this.cuts.shift()!;
      this.addFragment(events, this.fragmenter!.fragment(cut.atMs));
      if (cut.segment) {
        this.closeSegment(events);
        this.open = [];
        events.push({ type: 'segment-start', startMs: cut.atMs, discontinuity: false, init: null });
      }
    }
  }

  private addFragment(events: CmafEvent[], f: Mp4Fragment | null): void {
    if (f === null || this.open === null) return;
    this.open.push(f);
    if (this.opts.partMs === undefined) return;
    events.push({ type: 'part', bytes: f.bytes, startMs: f.startMs, durationMs: f.endMs - f.startMs, independent: f.independent });
  }

  private closeSegment(events: CmafEvent[]): void {
    if (this.open === null || this.open.length === 0) return;
    const startMs = this.open[0]!.startMs;
    const bytes = concat(this.open.map((f) => f.bytes));
    events.push({ type: 'segment-end', bytes, startMs, durationMs: this.open.at(-1)!.endMs - startMs });
    this.open = null;
  }

  /** Makes every pending cut, then flushes: the open segment ends now. */
  private finish(events: CmafEvent[]): void {
    if (this.fragmenter === null) return;
    for (const cut of this.cuts.splice(0)) {
      this.addFragment(events, this.fragmenter.fragment(cut.atMs));
      if (cut.segment) {
        this.closeSegment(events);
        this.open = [];
        events.push({ type: 'segment-start', startMs: cut.atMs, discontinuity: false, init: null });
      }
    }
    this.addFragment(events, this.fragmenter.flush());
    this.closeSegment(events);
    this.fragmenter = null;
  }

  private restart(events: CmafEvent[], atMs: number, discontinuity: boolean): void {
    this.fragmenter = new Mp4Fragmenter(this.tracks);
    this.tracksChanged = false;
    const init = this.fragmenter.initSegment();
    const changed = this.lastInit === null || !sameBytes(init, this.lastInit);
    this.lastInit = init;
    this.open = [];
    this.partStart = atMs;
    this.lastMainDts = Number.NEGATIVE_INFINITY;
    this.lastDelta = 0;
    events.push({ type: 'segment-start', startMs: atMs, discontinuity, init: changed ? init : null });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
