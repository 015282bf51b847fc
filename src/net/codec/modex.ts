// The enhanced RTMP header walk shared by audio and video tags: v2 "ModEx" (a packet type
// of 7 wraps the real packet type after a size-prefixed extension), then an optional
// multitrack byte, then the FourCC.

import { readFourCC } from './fourcc.ts';

export const PACKET_MODEX = 7;

/** Where the ModEx chain ends: the real packet type and the offset after it; null if truncated. */
export function skipModEx(data: Uint8Array, packetType: number, pos: number): { packetType: number; pos: number } | null {
  while (packetType === PACKET_MODEX) {
    if (pos >= data.length) return null;
    let size = data[pos++]! + 1;
    if (size === 256) {
      if (data.length - pos < 2) return null;
      size = ((data[pos]! << 8) | data[pos + 1]!) + 1;
      pos += 2;
    }
    pos += size;
    if (pos >= data.length) return null;
    packetType = data[pos++]! & 0x0f;
  }
  return { packetType, pos };
}

export interface ExHeader {
  /** The packet type after ModEx, or the multitrack byte's own packet type. */
  packetType: number;
  multitrack: boolean;
  /** The (first track's) FourCC; -1 when cut short. */
  fourCC: number;
  /** The offset after the FourCC (and a multitrack track id / size); -1 when the multitrack byte is missing. */
  pos: number;
}

/**
 * Walks an enhanced header from its first byte's packet type (low nibble of byte 0).
 * `multitrackType` is the packet type that announces multitrack (5 in audio, 6 in
 * video). Null when the ModEx chain is cut short.
 */
export function readExHeader(data: Uint8Array, packetType: number, multitrackType: number): ExHeader | null {
  const unwrapped = skipModEx(data, packetType, 1);
  if (!unwrapped) return null;
  let pos = unwrapped.pos;
  if (unwrapped.packetType !== multitrackType) {
    return { packetType: unwrapped.packetType, multitrack: false, fourCC: readFourCC(data, pos), pos: pos + 4 };
  }
  if (pos >= data.length) return { packetType: -1, multitrack: true, fourCC: -1, pos: -1 };
  const mt = data[pos++]!;
  const fourCC = readFourCC(data, pos);
  // OneTrack/ManyTracks share one FourCC, ManyTracksManyCodecs names the first track's;
  // then a track id, plus a UI24 size when the tag holds several tracks.
  pos += 4 + ((mt >>> 4) === 0 ? 1 : 4);
  return { packetType: mt & 0x0f, multitrack: true, fourCC, pos };
}
