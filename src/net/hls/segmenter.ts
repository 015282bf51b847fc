// When to cut an HLS segment, decided from timestamps alone (no I/O, no clock). Video streams
// cut on the first keyframe at least `fragment` seconds after the segment began; audio-only
// streams cut on time. A timestamp jump (forward more than `jumpMs`, back more than
// `backJumpMs`) or a marked discontinuity (republish) cuts at once and flags the join.
//
// Decisions, for the frame just passed in:
//   'drop'              no segment is open and this frame cannot open one (video: not a
//                       keyframe yet; audio while waiting for the first keyframe)
//   'continue'          write it into the open segment
//   'cut'               close the open segment (if any; see closedDurationMs), open a new one
//                       and write the frame there
//   'cut-discontinuity' as 'cut', and the new segment starts with EXT-X-DISCONTINUITY

export type SegmentDecision = 'drop' | 'continue' | 'cut' | 'cut-discontinuity';

export type HlsSegmenterOptions = {
  /** Target segment length in seconds (hls_fragment). */
  fragment: number;
  hasVideo: boolean;
  /** A forward jump larger than this (ms) is a discontinuity. Default 10000. */
  jumpMs?: number;
  /** A backward step larger than this (ms) is a discontinuity. Default 1000. */
  backJumpMs?: number;
};

const NONE = Number.NEGATIVE_INFINITY;

export class HlsSegmenter {
  private readonly fragmentMs: number;
  private readonly hasVideo: boolean;
  private readonly jumpMs: number;
  private readonly backJumpMs: number;
  private isOpen = false;
  private startMs = 0;
  private endMs = 0;
  private lastVideoMs = NONE;
  private lastAudioMs = NONE;
  private discontinuityPending = false;
  private closedMs = -1;

  constructor(opts: HlsSegmenterOptions) {
    this.fragmentMs = opts.fragment * 1000;
    this.hasVideo = opts.hasVideo;
    this.jumpMs = opts.jumpMs ?? 10000;
    this.backJumpMs = opts.backJumpMs ?? 1000;
  }

  /** A segment is open. */
  get open(): boolean {
    return this.isOpen;
  }

  /** DTS (ms) the open segment started at. */
  get segmentStartMs(): number {
    return this.startMs;
  }

  /** Length so far of the open segment (last DTS seen minus its start), ms. */
  get segmentDurationMs(): number {
    return this.isOpen ? this.endMs - this.startMs : 0;
  }

  /** Length of the segment the last 'cut' closed, ms; -1 when that cut closed nothing. */
  get closedDurationMs(): number {
    return this.closedMs;
  }

  onVideo(dtsMs: number, keyframe: boolean): SegmentDecision {
    const jumped = this.jumped(this.lastVideoMs, dtsMs);
    this.lastVideoMs = dtsMs;
    if (!this.hasVideo) return this.isOpen ? this.extend(dtsMs) : 'drop';
    if (!this.isOpen) return keyframe ? this.cut(dtsMs) : 'drop';
    if (jumped || (this.discontinuityPending && keyframe)) {
      this.discontinuityPending = true;
      return this.cut(dtsMs);
    }
    if (keyframe && dtsMs - this.startMs >= this.fragmentMs) return this.cut(dtsMs);
    return this.extend(dtsMs);
  }

  onAudio(dtsMs: number): SegmentDecision {
    const jumped = this.jumped(this.lastAudioMs, dtsMs);
    this.lastAudioMs = dtsMs;
    if (this.hasVideo) {
      // Video drives the cuts and the durations; audio only rides along, so audio that
      // reaches a timestamp jump before the video cannot stretch the closing segment.
      return this.isOpen ? 'continue' : 'drop';
    }
    if (!this.isOpen) return this.cut(dtsMs);
    if (jumped || this.discontinuityPending) {
      this.discontinuityPending = true;
      return this.cut(dtsMs);
    }
    if (dtsMs - this.startMs >= this.fragmentMs) return this.cut(dtsMs);
    return this.extend(dtsMs);
  }

  /** The next segment opens with a discontinuity (republish, encoder restart). */
  markDiscontinuity(): void {
    this.discontinuityPending = true;
  }

  /**
   * Ends the open segment (unpublish) and returns its length in ms (-1 if none was open). The
   * next segment waits for a keyframe and is flagged as a discontinuity.
   */
  close(): number {
    const d = this.isOpen ? this.endMs - this.startMs : -1;
    this.isOpen = false;
    this.discontinuityPending = true;
    this.lastVideoMs = NONE;
    this.lastAudioMs = NONE;
    return d;
  }

  private jumped(last: number, dtsMs: number): boolean {
    if (last === NONE) return false;
    return dtsMs - last > this.jumpMs || last - dtsMs > this.backJumpMs;
  }

  private extend(dtsMs: number): 'continue' {
    if (dtsMs > this.endMs) this.endMs = dtsMs;
    return 'continue';
  }

  private cut(dtsMs: number): 'cut' | 'cut-discontinuity' {
    const discontinuity = this.discontinuityPending;
    // A jump leaves no usable end time: the segment ends at the last timestamp before it.
    this.closedMs = this.isOpen ? Math.max(0, (discontinuity ? this.endMs : dtsMs) - this.startMs) : -1;
    this.isOpen = true;
    this.startMs = dtsMs;
    this.endMs = dtsMs;
    this.discontinuityPending = false;
    return discontinuity ? 'cut-discontinuity' : 'cut';
  }
}
