// The live window of an fMP4 playlist, with or without low-latency parts: numbers segments
// (msn) and parts, slides out old segments (returned so the caller can free them), counts
// the discontinuities that slid out (EXT-X-DISCONTINUITY-SEQUENCE), drops the parts of
// segments more than three target durations from the end (rfc8216bis 6.2.2 lets a server
// remove them; clients only need recent parts), and renders through fmp4-playlist.ts.
// No I/O and no clock: the caller says when parts and segments are complete.

import { SluiceError } from '../../errors.ts';
import type { ReloadState } from './blocking-reload.ts';
import { renderFmp4Playlist, type Fmp4Segment, type PlaylistPart } from './fmp4-playlist.ts';

export type Fmp4WindowOptions = {
  /** Seconds of segments to keep (hls_window). */
  window: number;
  /** Lower bound of EXT-X-TARGETDURATION, seconds (hls_fragment). */
  targetDuration: number;
  /** Part target in seconds: low-latency mode with parts when set. */
  partTarget?: number;
  /** The init segment's URI. */
  map: string;
  firstMsn?: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE to start from (a republish that carries on numbering). */
  firstDiscontinuitySequence?: number;
};

type Open = { parts: PlaylistPart[]; discontinuity: boolean };

export class Fmp4Window {
  private readonly opts: Fmp4WindowOptions;
  private readonly list: Fmp4Segment[] = [];
  private nextMsnValue: number;
  private map: string;
  private open: Open = { parts: [], discontinuity: false };
  private hint: string | null = null;
  private discontinuitiesRemoved = 0;
  private isEnded = false;

  constructor(opts: Fmp4WindowOptions) {
    if (!(opts.window > 0) || !(opts.targetDuration > 0)) throw new SluiceError('HLS_PLAYLIST', 'window and target duration must be positive');
    if (opts.partTarget !== undefined && !(opts.partTarget > 0)) throw new SluiceError('HLS_PLAYLIST', `part target ${opts.partTarget}`);
    this.opts = opts;
    this.map = opts.map;
    this.nextMsnValue = opts.firstMsn ?? 0;
    this.discontinuitiesRemoved = opts.firstDiscontinuitySequence ?? 0;
  }

  /** msn of the segment being written (its parts carry it). */
  get nextMsn(): number {
    return this.nextMsnValue;
  }

  get segments(): readonly Fmp4Segment[] {
    return this.list;
  }

  /** Index the next part of the open segment gets. */
  get nextPart(): number {
    return this.open.parts.length;
  }

  /** A part of the open segment is complete. */
  addPart(part: PlaylistPart): { msn: number; part: number } {
    if (this.opts.partTarget === undefined) throw new SluiceError('HLS_PLAYLIST', 'parts need a part target');
    this.reopen();
    this.open.parts.push(part);
    return { msn: this.nextMsnValue, part: this.open.parts.length - 1 };
  }

  /** The open segment is complete; returns its msn and the segments that slid out. */
  addSegment(seg: { uri: string; duration: number; programDateTime?: Date }): { msn: number; removed: Fmp4Segment[] } {
    this.reopen();
    const s: Fmp4Segment = {
      msn: this.nextMsnValue++,
      uri: seg.uri,
      duration: seg.duration,
      map: this.map,
      ...(this.open.discontinuity ? { discontinuity: true } : {}),
      ...(seg.programDateTime !== undefined ? { programDateTime: seg.programDateTime } : {}),
      ...(this.opts.partTarget !== undefined ? { parts: this.open.parts } : {}),
    };
    this.list.push(s);
    this.open = { parts: [], discontinuity: false };
    return { msn: s.msn, removed: this.slide() };
  }

  /**
   * The next segment starts a new timeline; with `map`, under a new init segment. Call it
   * between addSegment() and the next segment's first part: a part cannot change timeline.
   */
  markDiscontinuity(map?: string): void {
    if (this.open.parts.length > 0) throw new SluiceError('HLS_PLAYLIST', 'a discontinuity inside a segment that has parts');
    this.open.discontinuity = true;
    if (map !== undefined) this.map = map;
  }

  /** EXT-X-PRELOAD-HINT for the part being written (null: none). */
  setPreloadHint(uri: string | null): void {
    this.hint = uri;
  }

  /** The stream stopped: EXT-X-ENDLIST, no open parts or hint, until something is added. */
  end(): void {
    this.isEnded = true;
    this.hint = null;
  }

  reloadState(): ReloadState {
    const lastMsn = this.list.length > 0 ? this.list.at(-1)!.msn : this.nextMsnValue - 1;
    let lastPart: ReloadState['lastPart'] = null;
    if (this.open.parts.length > 0) lastPart = { msn: this.nextMsnValue, part: this.open.parts.length - 1 };
    else {
      const parts = this.list.at(-1)?.parts;
      if (parts !== undefined && parts.length > 0) lastPart = { msn: lastMsn, part: parts.length - 1 };
    }
    return { lastMsn, lastPart, partTarget: this.opts.partTarget ?? null, ended: this.isEnded };
  }

  render(): string {
    const partTarget = this.opts.partTarget;
    const open = { msn: this.nextMsnValue, map: this.map, discontinuity: this.open.discontinuity, parts: this.open.parts };
    return renderFmp4Playlist({
      targetDuration: this.opts.targetDuration,
      mediaSequence: this.nextMsnValue,
      discontinuitySequence: this.discontinuitiesRemoved,
      segments: this.list,
      ended: this.isEnded,
      ...(partTarget !== undefined ? { lowLatency: { partTarget, open, preloadHint: this.hint } } : {}),
    });
  }

  private reopen(): void {
    if (!this.isEnded) return;
    // A republish after end(): the playlist goes on with a discontinuity.
    this.isEnded = false;
    this.open.discontinuity = true;
  }

  private slide(): Fmp4Segment[] {
    const removed: Fmp4Segment[] = [];
    let total = this.list.reduce((t, s) => t + s.duration, 0);
    while (this.list.length > 1 && total - this.list[0]!.duration > this.opts.window) {
      const old = this.list.shift()!;
      total -= old.duration;
      if (old.discontinuity === true) this.discontinuitiesRemoved++;
      removed.push(old);
    }
    // Parts of segments ending more than three target durations before the end go.
    let fromEnd = 0;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const s = this.list[i]!;
      if (fromEnd > 3 * this.opts.targetDuration && s.parts !== undefined && s.parts.length > 0) this.list[i] = { ...s, parts: [] };
      fromEnd += s.duration;
    }
    return removed;
  }
}
