// HLS media playlists (RFC 8216), written in SRS's shape and read back for tests and the
// player side. Durations are written with 3 decimals ("2.000, no desc" like SRS), and the
// target duration is the ceiling of the longest written duration, so every EXTINF rounded to
// the nearest integer stays <= it (RFC 8216 4.3.3.1) with room to spare.

import { SluiceError } from '../../errors.ts';

export type MediaSegment = { uri: string; duration: number; discontinuity?: boolean };

export type MediaPlaylistInput = {
  version?: number;
  /** A lower bound for EXT-X-TARGETDURATION (e.g. hls_fragment * hls_td_ratio). */
  targetDuration?: number;
  mediaSequence: number;
  /** Written as EXT-X-DISCONTINUITY-SEQUENCE only when given. */
  discontinuitySequence?: number;
  segments: readonly MediaSegment[];
  ended: boolean;
};

export type ParsedSegment = {
  uri: string;
  duration: number;
  title: string;
  discontinuity: boolean;
  /** Media sequence number of this segment. */
  sequence: number;
};

export type ParsedMediaPlaylist = {
  version: number | null;
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  segments: ParsedSegment[];
  ended: boolean;
};

/** Milliseconds precision, as written in EXTINF. */
export function formatDuration(seconds: number): string {
  return seconds.toFixed(3);
}

/** EXT-X-TARGETDURATION for these segments: ceil of the longest written duration, >= 1. */
export function targetDurationOf(segments: readonly MediaSegment[], atLeast = 1): number {
  let target = Math.max(1, Math.ceil(atLeast));
  for (const s of segments) target = Math.max(target, Math.ceil(Number(formatDuration(s.duration))));
  return target;
}

export function renderMediaPlaylist(p: MediaPlaylistInput): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${p.version ?? 3}`, `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`];
  lines.push(`#EXT-X-TARGETDURATION:${targetDurationOf(p.segments, p.targetDuration)}`);
  if (p.discontinuitySequence !== undefined) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const s of p.segments) {
    if (!(s.duration >= 0) || !Number.isFinite(s.duration)) {
      throw new SluiceError('HLS_PLAYLIST', `segment ${s.uri} has duration ${s.duration}`);
    }
    if (/[\r\n]/.test(s.uri) || s.uri === '' || s.uri.startsWith('#')) {
      throw new SluiceError('HLS_PLAYLIST', `unusable segment URI ${JSON.stringify(s.uri)}`);
    }
    if (s.discontinuity === true) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${formatDuration(s.duration)}, no desc`, s.uri);
  }
  if (p.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function integerValue(line: string, tag: string): number {
  const text = line.slice(tag.length + 1).trim();
  if (!/^\d{1,15}$/.test(text)) throw new SluiceError('HLS_PLAYLIST', `${tag} is not a decimal integer: ${text}`);
  return Number(text);
}

/** Reads a media playlist; anything that is not one is SluiceError('HLS_PLAYLIST'). */
export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.replace(/^\uFEFF/, '').trim() !== '#EXTM3U') {
    throw new SluiceError('HLS_PLAYLIST', 'first line is not #EXTM3U');
  }
  const out: ParsedMediaPlaylist = {
    version: null,
    targetDuration: -1,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments: [],
    ended: false,
  };
  let pending: { duration: number; title: string } | null = null;
  let discontinuity = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      if (pending === null) throw new SluiceError('HLS_PLAYLIST', `URI without #EXTINF at line ${i + 1}`);
      const sequence = out.mediaSequence + out.segments.length;
      out.segments.push({ uri: line, duration: pending.duration, title: pending.title, discontinuity, sequence });
      pending = null;
      discontinuity = false;
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    switch (tag) {
      case '#EXT-X-VERSION':
        out.version = integerValue(line, tag);
        break;
      case '#EXT-X-TARGETDURATION':
        out.targetDuration = integerValue(line, tag);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        if (out.segments.length > 0) throw new SluiceError('HLS_PLAYLIST', 'EXT-X-MEDIA-SEQUENCE after a segment');
        out.mediaSequence = integerValue(line, tag);
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        out.discontinuitySequence = integerValue(line, tag);
        break;
      case '#EXT-X-DISCONTINUITY':
        discontinuity = true;
        break;
      case '#EXT-X-ENDLIST':
        out.ended = true;
        break;
      case '#EXT-X-STREAM-INF':
        throw new SluiceError('HLS_PLAYLIST', 'a master playlist, not a media playlist');
      case '#EXTINF': {
        const value = line.slice(tag.length + 1);
        const comma = value.indexOf(',');
        const num = (comma < 0 ? value : value.slice(0, comma)).trim();
        if (!/^\d+(\.\d+)?$/.test(num)) throw new SluiceError('HLS_PLAYLIST', `bad EXTINF duration: ${num}`);
        pending = { duration: Number(num), title: comma < 0 ? '' : value.slice(comma + 1).trim() };
        break;
      }
      default:
        break; // other tags and comments are allowed and ignored (RFC 8216 4.1)
    }
  }
  if (out.targetDuration < 0) throw new SluiceError('HLS_PLAYLIST', 'no EXT-X-TARGETDURATION');
  if (pending !== null) throw new SluiceError('HLS_PLAYLIST', '#EXTINF without a URI at the end');
  return out;
}
