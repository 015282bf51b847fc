// The live playlist's sliding window: holds about `window` seconds of segments, numbers them
// across republishes, and hands back what slid out so the caller can delete the files
// (hls_cleanup). No I/O here.

import { SluiceError } from '../../errors.ts';
import { renderMediaPlaylist } from './m3u8.ts';

function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

export type WindowSegment = {
  uri: string;
  /** Seconds. */
  duration: number;
  discontinuity: boolean;
  sequence: number;
};

export type PlaylistWindowOptions = {
  /** Seconds of media to keep (hls_window). */
  window: number;
  /** Lower bound of EXT-X-TARGETDURATION; default 1. */
  targetDuration?: number;
  /** Mark the first segment with EXT-X-DISCONTINUITY, as SRS does. Default true. */
  discontinuityAtStart?: boolean;
  /** Also write EXT-X-DISCONTINUITY-SEQUENCE (RFC 8216 6.2.1; SRS does not). Default false. */
  discontinuitySequence?: boolean;
  /** Sequence number of the first segment. Default 0. */
  firstSequence?: number;
};

export class PlaylistWindow {
  private readonly windowSeconds: number;
  private readonly targetDuration: number;
  private readonly writeDiscontinuitySequence: boolean;
  private readonly list: WindowSegment[] = [];
  private next: number;
  // Whole milliseconds, so repeated add/remove does not drift across the window edge.
  private totalMs = 0;
  private pendingDiscontinuity: boolean;
  private discontinuitiesRemoved = 0;
  private isEnded = false;

  constructor(opts: PlaylistWindowOptions) {
    if (!(opts.window > 0)) throw new SluiceError('HLS_PLAYLIST', `window ${opts.window} is not positive`);
    this.windowSeconds = opts.window;
    this.targetDuration = opts.targetDuration ?? 1;
    this.writeDiscontinuitySequence = opts.discontinuitySequence ?? false;
    this.pendingDiscontinuity = opts.discontinuityAtStart ?? true;
    this.next = opts.firstSequence ?? 0;
  }

  /** The sequence number the next added segment gets (to name its file before it closes). */
  get nextSequence(): number {
    return this.next;
  }

  get mediaSequence(): number {
    return this.list.length > 0 ? this.list[0]!.sequence : this.next;
  }

  get segments(): readonly WindowSegment[] {
    return this.list;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Seconds of media in the window. */
  get duration(): number {
    return this.totalMs / 1000;
  }

  /**
   * Appends a closed segment and drops the oldest while the rest still cover the window.
   * Adding after end() reopens the playlist with a discontinuity (a republish).
   */
  add(segment: { uri: string; duration: number }): { sequence: number; removed: WindowSegment[] } {
    if (!(segment.duration >= 0) || !Number.isFinite(segment.duration)) {
      throw new SluiceError('HLS_PLAYLIST', `segment duration ${segment.duration}`);
    }
    if (this.isEnded) {
      this.isEnded = false;
      this.pendingDiscontinuity = true;
    }
    const s: WindowSegment = {
      uri: segment.uri,
      duration: segment.duration,
      discontinuity: this.pendingDiscontinuity,
      sequence: this.next++,
    };
    this.pendingDiscontinuity = false;
    this.list.push(s);
    this.totalMs += ms(s.duration);
    const removed: WindowSegment[] = [];
    const windowMs = ms(this.windowSeconds);
    while (this.list.length > 1 && this.totalMs - ms(this.list[0]!.duration) > windowMs) {
      const old = this.list.shift()!;
      this.totalMs -= ms(old.duration);
      if (old.discontinuity) this.discontinuitiesRemoved++;
      removed.push(old);
    }
    return { sequence: s.sequence, removed };
  }

  /** The next added segment starts with EXT-X-DISCONTINUITY (republish, timestamp jump). */
  markDiscontinuity(): void {
    this.pendingDiscontinuity = true;
  }

  /** The stream stopped: EXT-X-ENDLIST until a segment is added again. */
  end(): void {
    this.isEnded = true;
  }

  /** Empties the window (hls_dispose) and returns every segment for deletion. */
  clear(): WindowSegment[] {
    const all = this.list.splice(0, this.list.length);
    for (const s of all) if (s.discontinuity) this.discontinuitiesRemoved++;
    this.totalMs = 0;
    this.pendingDiscontinuity = true;
    return all;
  }

  render(): string {
    return renderMediaPlaylist({
      version: 3,
      targetDuration: this.targetDuration,
      mediaSequence: this.mediaSequence,
      ...(this.writeDiscontinuitySequence ? { discontinuitySequence: this.discontinuitiesRemoved } : {}),
      segments: this.list,
      ended: this.isEnded,
    });
  }
}
