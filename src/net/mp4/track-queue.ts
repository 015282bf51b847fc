// The samples of one track waiting to go into a fragment. A sample's duration is the
// distance to the next sample's decode time, so the newest sample is held back until its
// successor arrives; only at the end of the stream is its duration estimated.

import { SluiceError } from '../../errors.ts';
import type { FragmentSample, TrackRun } from './media-segment.ts';
import { checkTimescale, msToTicks } from './timescale.ts';
import type { Mp4Track } from './track.ts';

/** A sample as it comes out of FLV: times in milliseconds. */
export type Mp4Sample = {
  /** Decode timestamp, ms (the FLV tag timestamp, unwrapped). */
  dts: number;
  /** Composition offset, ms (FLV CompositionTime, signed): pts = dts + cts. */
  cts: number;
  keyframe: boolean;
  /** AVCC/HVCC length-prefixed NAL units, or one raw AAC / Opus frame. */
  data: Uint8Array;
};

type Queued = { dts: number; cts: number; keyframe: boolean; data: Uint8Array };

export class TrackQueue {
  readonly track: Mp4Track;
  private readonly queue: Queued[] = [];
  private lastDts = Number.NEGATIVE_INFINITY;
  // The estimate for a last sample with no successor: the duration before it, and before any
  // an AAC frame (1024 samples), a 20 ms Opus frame, or a 30 fps picture.
  private lastDurationTicks: number;

  constructor(track: Mp4Track) {
    checkTimescale(track.timescale);
    this.track = track;
    const f = track.entry.format;
    this.lastDurationTicks = f === 'mp4a' ? 1024 : f === 'Opus' ? 960 : Math.round(track.timescale / 30);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Decode time (ms) of the newest sample pushed, -Infinity before the first. */
  get newestDts(): number {
    return this.lastDts;
  }

  /** Queues a sample; an empty one (a bare FLV header) carries nothing to play and is dropped. */
  push(s: Mp4Sample): void {
    if (s.data.length === 0) return;
    if (!Number.isSafeInteger(s.dts) || !Number.isSafeInteger(s.cts) || s.dts < 0) {
      throw new SluiceError('MP4_MUX', `track ${this.track.id}: timestamps dts ${s.dts} cts ${s.cts}`);
    }
    // A step back is a discontinuity: the caller starts a new fragmenter for it.
    if (s.dts < this.lastDts) {
      throw new SluiceError('MP4_MUX', `track ${this.track.id}: dts ${s.dts} after ${this.lastDts}`);
    }
    this.lastDts = s.dts;
    // Copied: the caller's bytes are usually a view into a ring block that is recycled
    // once the reader moves on, and this sample may wait here for the next one.
    this.queue.push({ dts: s.dts, cts: s.cts, keyframe: s.keyframe, data: Uint8Array.from(s.data) });
  }

  /** How many of the waiting samples can go into a fragment ending before `beforeMs`. */
  countReady(beforeMs: number): number {
    let n = 0;
    // The last one waits for its successor, which gives it its duration.
    while (n < this.queue.length - 1 && this.queue[n]!.dts < beforeMs) n++;
    return n;
  }

  /**
   * Removes the first `count` samples as a run. With `estimateLast`, the final sample of the
   * queue may be among them and gets the previous sample's duration (end of stream).
   */
  take(count: number, estimateLast = false): TrackRun {
    const limit = estimateLast ? this.queue.length : Math.max(0, this.queue.length - 1);
    if (count > limit) throw new SluiceError('MP4_MUX', `${count} samples asked, ${limit} have a duration`);
    const ts = this.track.timescale;
    const taken = this.queue.splice(0, count);
    const samples: FragmentSample[] = [];
    for (let i = 0; i < taken.length; i++) {
      const s = taken[i]!;
      const next = i + 1 < taken.length ? taken[i + 1] : this.queue[0];
      const dtsTicks = msToTicks(s.dts, ts);
      const duration = next !== undefined ? msToTicks(next.dts, ts) - dtsTicks : this.lastDurationTicks;
      this.lastDurationTicks = duration;
      samples.push({
        duration,
        compositionOffset: msToTicks(s.dts + s.cts, ts) - dtsTicks,
        keyframe: this.track.kind === 'audio' || s.keyframe,
        data: s.data,
      });
    }
    return {
      trackId: this.track.id,
      kind: this.track.kind,
      baseMediaDecodeTime: taken.length > 0 ? msToTicks(taken[0]!.dts, ts) : 0,
      samples,
    };
  }
}
