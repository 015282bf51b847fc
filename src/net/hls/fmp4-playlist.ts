// Media playlists for fMP4 segments, plain (hls.variant fmp4) and low-latency (low_latency),
// after draft-pantos-hls-rfc8216bis. Pure: segments and parts in, text out.
//
// - EXT-X-VERSION 6: the lowest version that allows EXT-X-MAP in a playlist without
//   EXT-X-I-FRAMES-ONLY (RFC 8216 7). The low-latency tags (EXT-X-PART, -PART-INF,
//   -PRELOAD-HINT, -SERVER-CONTROL) need no higher version; 9 would be needed only for
//   playlist delta updates (EXT-X-SKIP), which are not offered (no CAN-SKIP-UNTIL).
// - EXT-X-MAP is written before the first segment and again wherever the init segment
//   changes (after a discontinuity with a new codec configuration).
// - A segment's parts come before its EXTINF; the parts of the segment still being written
//   and the preload hint come after the last EXTINF (rfc8216bis 4.4.4.9, 4.4.5.3).
// - PART-HOLD-BACK defaults to 3 part targets: the draft requires at least 2 and recommends 3.

import { SluiceError } from '../../errors.ts';
import { formatDuration, targetDurationOf } from './m3u8.ts';

export type PlaylistPart = { uri: string; /** Seconds. */ duration: number; independent: boolean };

export type Fmp4Segment = {
  /** Media sequence number. */
  msn: number;
  uri: string;
  /** Seconds. */
  duration: number;
  discontinuity?: boolean;
  /** EXT-X-PROGRAM-DATE-TIME of the segment's first sample. */
  programDateTime?: Date;
  /** The init segment's URI (EXT-X-MAP) for this segment. */
  map: string;
  /** Its parts, kept for recent segments only (low latency). */
  parts?: readonly PlaylistPart[];
};

export type LowLatencyInfo = {
  /** PART-TARGET, seconds. */
  partTarget: number;
  /** Default 3 x partTarget. */
  partHoldBack?: number;
  /** The segment being written: its parts so far (it has no EXTINF yet). */
  open: { msn: number; map: string; discontinuity?: boolean; programDateTime?: Date; parts: readonly PlaylistPart[] } | null;
  /** URI of the next part, announced before it exists (EXT-X-PRELOAD-HINT TYPE=PART). */
  preloadHint: string | null;
};

export type Fmp4PlaylistInput = {
  /** A lower bound for EXT-X-TARGETDURATION, seconds (the configured fragment length). */
  targetDuration: number;
  /** Used when there are no segments; otherwise the first segment's msn. */
  mediaSequence: number;
  discontinuitySequence: number;
  segments: readonly Fmp4Segment[];
  ended: boolean;
  lowLatency?: LowLatencyInfo;
};

export const FMP4_PLAYLIST_VERSION = 6;

function checkUri(uri: string): string {
  if (uri === '' || /[\r\n"]/.test(uri) || uri.startsWith('#')) {
    throw new SluiceError('HLS_PLAYLIST', `unusable URI ${JSON.stringify(uri)}`);
  }
  return uri;
}

function checkDuration(d: number, what: string): number {
  if (!(d >= 0) || !Number.isFinite(d)) throw new SluiceError('HLS_PLAYLIST', `${what} has duration ${d}`);
  return d;
}

function partLine(p: PlaylistPart): string {
  const independent = p.independent ? ',INDEPENDENT=YES' : '';
  return `#EXT-X-PART:DURATION=${formatDuration(checkDuration(p.duration, p.uri))},URI="${checkUri(p.uri)}"${independent}`;
}

export function renderFmp4Playlist(p: Fmp4PlaylistInput): string {
  const ll = p.lowLatency;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${FMP4_PLAYLIST_VERSION}`, `#EXT-X-TARGETDURATION:${targetDurationOf(p.segments, p.targetDuration)}`];
  if (ll !== undefined) {
    if (!(ll.partTarget > 0)) throw new SluiceError('HLS_PLAYLIST', `part target ${ll.partTarget}`);
    const holdBack = ll.partHoldBack ?? 3 * ll.partTarget;
    if (holdBack < 2 * ll.partTarget) throw new SluiceError('HLS_PLAYLIST', 'PART-HOLD-BACK below twice the part target');
    lines.push(`#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${formatDuration(holdBack)}`);
    lines.push(`#EXT-X-PART-INF:PART-TARGET=${formatDuration(ll.partTarget)}`);
  }
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${p.segments[0]?.msn ?? p.mediaSequence}`);
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  let map: string | null = null;
  let expected = p.segments[0]?.msn ?? 0;
  // The head of a segment: discontinuity, map if it changed, date.
  const head = (s: { map: string; discontinuity?: boolean; programDateTime?: Date }): void => {
    if (s.discontinuity === true) lines.push('#EXT-X-DISCONTINUITY');
    if (s.map !== map) lines.push(`#EXT-X-MAP:URI="${checkUri(s.map)}"`);
    map = s.map;
    if (s.programDateTime !== undefined) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime.toISOString()}`);
  };
  for (const s of p.segments) {
    if (s.msn !== expected++) throw new SluiceError('HLS_PLAYLIST', `segment ${s.uri} has msn ${s.msn}, expected ${expected - 1}`);
    head(s);
    for (const part of s.parts ?? []) lines.push(partLine(part));
    lines.push(`#EXTINF:${formatDuration(checkDuration(s.duration, s.uri))},`, checkUri(s.uri));
  }
  if (ll !== undefined && ll.open !== null && !p.ended) {
    if (p.segments.length > 0 && ll.open.msn !== expected) throw new SluiceError('HLS_PLAYLIST', `open segment msn ${ll.open.msn}, expected ${expected}`);
    if (ll.open.parts.length > 0 || ll.preloadHint !== null) head(ll.open);
    for (const part of ll.open.parts) lines.push(partLine(part));
  }
  if (ll !== undefined && ll.preloadHint !== null && !p.ended) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${checkUri(ll.preloadHint)}"`);
  if (p.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
