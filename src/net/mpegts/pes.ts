// PES packet header (ISO 13818-1 2.4.3.6) with a PTS, or a PTS and a DTS, in 33-bit 90 kHz.

import { wrap33 } from './ts-packet.ts';

export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;
/** Longest PES header written here: 9 fixed bytes plus PTS and DTS. */
export const PES_HEADER_MAX = 19;

/** Writes a 5-byte PTS or DTS field; `prefix` is 2 (PTS only), 3 (PTS before DTS) or 1 (DTS). */
export function writePesTimestamp(out: Uint8Array, off: number, prefix: number, ts90: number): void {
  const ts = wrap33(Math.floor(ts90));
  const top = Math.floor(ts / 2 ** 30) & 0x07; // bits 32..30
  const low = ts % 2 ** 30; // bits 29..0, safe for 32-bit operators
  out[off] = (prefix << 4) | (top << 1) | 1;
  out[off + 1] = (low >>> 22) & 0xff;
  out[off + 2] = ((low >>> 14) & 0xfe) | 1;
  out[off + 3] = (low >>> 7) & 0xff;
  out[off + 4] = ((low << 1) & 0xfe) | 1;
}

/**
 * Writes a PES header for `esLength` bytes of elementary stream; `dts90` < 0 means PTS only.
 * PES_packet_length is 0 (unbounded, allowed for video only) when the packet would not fit
 * 16 bits. Returns the header length.
 */
export function writePesHeader(
  out: Uint8Array,
  off: number,
  streamId: number,
  pts90: number,
  dts90: number,
  esLength: number,
): number {
  const withDts = dts90 >= 0;
  const headerDataLength = withDts ? 10 : 5;
  const packetLength = 3 + headerDataLength + esLength;
  out[off] = 0;
  out[off + 1] = 0;
  out[off + 2] = 1;
  out[off + 3] = streamId;
  const lengthField = packetLength > 0xffff ? 0 : packetLength;
  out[off + 4] = lengthField >>> 8;
  out[off + 5] = lengthField & 0xff;
  out[off + 6] = 0x84; // '10', not scrambled, data_alignment_indicator: each PES starts an access unit
  out[off + 7] = withDts ? 0xc0 : 0x80;
  out[off + 8] = headerDataLength;
  writePesTimestamp(out, off + 9, withDts ? 3 : 2, pts90);
  if (withDts) writePesTimestamp(out, off + 14, 1, dts90);
  return 9 + headerDataLength;
}
