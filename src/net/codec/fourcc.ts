// FourCC codes of enhanced RTMP (veovera enhanced-rtmp v1/v2), stored big-endian after
// the first tag byte. Kept as numbers so the hot path compares integers, not strings.

export const FOURCC_AVC1 = 0x61766331; // 'avc1'
export const FOURCC_HVC1 = 0x68766331; // 'hvc1'
export const FOURCC_AV01 = 0x61763031; // 'av01'
export const FOURCC_VP09 = 0x76703039; // 'vp09'
export const FOURCC_VP08 = 0x76703038; // 'vp08'
export const FOURCC_OPUS = 0x4f707573; // 'Opus'
export const FOURCC_FLAC = 0x664c6143; // 'fLaC'
export const FOURCC_MP4A = 0x6d703461; // 'mp4a'
export const FOURCC_MP3 = 0x2e6d7033; // '.mp3'
export const FOURCC_AC3 = 0x61632d33; // 'ac-3'
export const FOURCC_EAC3 = 0x65632d33; // 'ec-3'

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

export function fourCCFromString(s: string): number {
  if (s.length !== 4) return -1;
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}
