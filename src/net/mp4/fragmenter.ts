// Mp4Fragmenter: FLV samples in (milliseconds), init segment and fragments out. It is driven
// by the HLS segmenter: push every sample as it arrives. When a sample arrives that should
// start a new segment or part (a keyframe after `fragment` seconds, or `part_ms` elapsed),
// note its dts as the cut, keep pushing, and once isComplete(cut) call fragment(cut). The
// fragment takes every sample decoded before the cut; a sample's duration is the distance
// to the next one, so the newest sample of each track always waits for its successor.
// flush() ends the stream, estimating the last durations.
//
// Why wait for isComplete (every track has a sample at or after the cut): cut at once, and
// the last audio frame before the cut waits for the next fragment, so a part's audio ends up
// to one frame short of its video, the buffered range (audio and video intersected) ends
// before the part does, and hls.js at the live edge reloads that part again and again (seen
// with hls.js 1.7 in Chromium: MSE then drops the overlapped frames and playback stalls).
// Waiting costs at most one audio frame of latency, as FLV interleaves audio and video by time.
//
// One fragmenter serves one run of continuous timestamps: after a discontinuity (republish,
// timestamp jump, new codec configuration) make a new one, write its init segment, and mark
// the playlist with EXT-X-DISCONTINUITY (and a new EXT-X-MAP if the init segment changed).

import { SluiceError } from '../../errors.ts';
import { writeInitSegment } from './init-segment.ts';
import { writeFragment, type TrackRun } from './media-segment.ts';
import { ticksToMs } from './timescale.ts';
import { TrackQueue, type Mp4Sample } from './track-queue.ts';
import type { Mp4Track } from './track.ts';

export type { Mp4Sample } from './track-queue.ts';

export type Mp4Fragment = {
  bytes: Uint8Array;
  /** mfhd sequence_number of this fragment. */
  sequenceNumber: number;
  /** Starts with a video keyframe, or the stream has no video: EXT-X-PART INDEPENDENT=YES. */
  independent: boolean;
  /** Decode time (ms) of the first sample of the main track (video if any, else audio). */
  startMs: number;
  /** Decode time (ms) where the main track's samples end: the next fragment's start. */
  endMs: number;
  videoSamples: number;
  audioSamples: number;
};

export type Mp4FragmenterOptions = {
  video?: Mp4Track;
  audio?: Mp4Track;
  /** mfhd sequence number of the first fragment; default 1. */
  firstSequenceNumber?: number;
};

export class Mp4Fragmenter {
  readonly video: TrackQueue | null;
  readonly audio: TrackQueue | null;
  private sequence: number;

  constructor(opts: Mp4FragmenterOptions) {
    if (opts.video === undefined && opts.audio === undefined) throw new SluiceError('MP4_MUX', 'no track to mux');
    if (opts.video !== undefined && opts.video.kind !== 'video') throw new SluiceError('MP4_MUX', 'video option is not a video track');
    if (opts.audio !== undefined && opts.audio.kind !== 'audio') throw new SluiceError('MP4_MUX', 'audio option is not an audio track');
    this.video = opts.video ? new TrackQueue(opts.video) : null;
    this.audio = opts.audio ? new TrackQueue(opts.audio) : null;
    this.sequence = opts.firstSequenceNumber ?? 1;
  }

  get tracks(): Mp4Track[] {
    return [this.video?.track, this.audio?.track].filter((t) => t !== undefined);
  }

  /** init.mp4 for these tracks (the same bytes every time). */
  initSegment(): Uint8Array {
    return writeInitSegment(this.tracks);
  }

  pushVideo(sample: Mp4Sample): void {
    if (this.video === null) throw new SluiceError('MP4_MUX', 'no video track');
    this.video.push(sample);
  }

  pushAudio(sample: Mp4Sample): void {
    if (this.audio === null) throw new SluiceError('MP4_MUX', 'no audio track');
    this.audio.push(sample);
  }

  /** Samples waiting on each track (including the held-back newest). */
  get pending(): { video: number; audio: number } {
    return { video: this.video?.length ?? 0, audio: this.audio?.length ?? 0 };
  }

  /**
   * Every track has received a sample decoded at or after `ms`: fragment(ms) then takes all
   * of each track's samples before `ms`. A track silent for long (audio dropped) never
   * completes; the caller gives up waiting after a while and cuts anyway.
   */
  isComplete(ms: number): boolean {
    return (this.video === null || this.video.newestDts >= ms) && (this.audio === null || this.audio.newestDts >= ms);
  }

  /**
   * A fragment of every sample decoded before `beforeMs` whose duration is known; null when
   * there is none. `styp` precedes it with a segment type box (the first part of a segment).
   */
  fragment(beforeMs: number, opts: { styp?: boolean } = {}): Mp4Fragment | null {
    const runs: TrackRun[] = [];
    if (this.video) runs.push(this.video.take(this.video.countReady(beforeMs)));
    if (this.audio) runs.push(this.audio.take(this.audio.countReady(beforeMs)));
    return this.build(runs, opts.styp === true);
  }

  /** Everything still waiting, the last durations estimated (end of stream). */
  flush(opts: { styp?: boolean } = {}): Mp4Fragment | null {
    const runs: TrackRun[] = [];
    if (this.video) runs.push(this.video.take(this.video.length, true));
    if (this.audio) runs.push(this.audio.take(this.audio.length, true));
    return this.build(runs, opts.styp === true);
  }

  private build(runs: TrackRun[], styp: boolean): Mp4Fragment | null {
    const video = runs.find((r) => r.kind === 'video');
    const audio = runs.find((r) => r.kind === 'audio');
    const main = video !== undefined && video.samples.length > 0 ? video : audio;
    if (main === undefined || main.samples.length === 0) return null;
    const timescale = (main.kind === 'video' ? this.video! : this.audio!).track.timescale;
    let endTicks = main.baseMediaDecodeTime;
    for (const s of main.samples) endTicks += s.duration;
    const sequenceNumber = this.sequence++;
    return {
      bytes: writeFragment(runs, { sequenceNumber, styp }),
      sequenceNumber,
      independent: this.video === null || (video !== undefined && video.samples[0]?.keyframe === true),
      startMs: ticksToMs(main.baseMediaDecodeTime, timescale),
      endMs: ticksToMs(endTicks, timescale),
      videoSamples: video?.samples.length ?? 0,
      audioSamples: audio?.samples.length ?? 0,
    };
  }
}
