// FourCC codes of enhanced RTMP (veovera enhanced-rtmp v1/v2), stored big-endian after
// the first tag byte: the one table of the codecs they name, for audio and video tags
// alike. Looked up as numbers so the hot path compares integers and reuses the names
// below instead of building a string per packet.

import type { AudioCodec } from './audio-tag.ts';
import type { VideoCodec } from './video-tag.ts';

export type FourCCEntry =
  | { kind: 'video'; name: string; codec: VideoCodec }
  | { kind: 'audio'; name: string; codec: AudioCodec };

const ENTRIES: readonly FourCCEntry[] = [
  { kind: 'video', name: 'avc1', codec: 'H264' },
  { kind: 'video', name: 'hvc1', codec: 'H265' },
  { kind: 'video', name: 'av01', codec: 'AV1' },
  { kind: 'video', name: 'vp09', codec: 'VP9' },
  { kind: 'video', name: 'vp08', codec: 'VP8' },
  { kind: 'audio', name: 'Opus', codec: 'Opus' },
  { kind: 'audio', name: 'fLaC', codec: 'FLAC' },
  { kind: 'audio', name: 'mp4a', codec: 'AAC' },
  { kind: 'audio', name: '.mp3', codec: 'MP3' },
  { kind: 'audio', name: 'ac-3', codec: 'AC3' },
  { kind: 'audio', name: 'ec-3', codec: 'EAC3' },
];

/** The 32-bit code of a four-character name; -1 unless it has four characters. */
export function fourCCFromString(s: string): number {
  if (s.length !== 4) return -1;
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}

const BY_CODE = new Map<number, FourCCEntry>(ENTRIES.map((e) => [fourCCFromString(e.name), e]));

export const FOURCC_AVC1 = fourCCFromString('avc1');
export const FOURCC_HVC1 = fourCCFromString('hvc1');

/** The codec a FourCC names, or undefined for one we do not know (relayed as 'other'). */
export function lookupFourCC(code: number): FourCCEntry | undefined {
  return BY_CODE.get(code);
}

/** The FourCC as text ('hvc1'), from the table when known; '' for -1 (no FourCC). */
export function fourCCName(code: number): string {
  return BY_CODE.get(code)?.name ?? fourCCToString(code);
}

/** The 32-bit FourCC at offset, or -1 when fewer than 4 bytes remain. */
export function readFourCC(data: Uint8Array, offset: number): number {
  if (data.length - offset < 4) return -1;
  return ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!) >>> 0;
}

/** 'hvc1' for 0x68766331; '' for -1. */
export function fourCCToString(code: number): string {
  if (code < 0) return '';
  return String.fromCharCode((code >>> 24) & 0xff, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff);
}
