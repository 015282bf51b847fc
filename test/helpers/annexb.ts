// NAL units in the forms tests build and inspect: length-prefixed (AVCC/HVCC, what RTMP
// carries) and Annex B (start codes, what an elementary stream file or MPEG-TS holds),
// plus access unit delimiters. The server's own conversion for MPEG-TS is
// src/net/mpegts/annexb-access-unit.ts, which writes into a reused buffer.
import { splitNalUnits } from '../../src/net/codec/nal.ts';
import { concatBytes } from './bytes.ts';

/** Access unit delimiters with primary_pic_type "any" (H.264 type 9; H.265 type 35, tid 1). */
export const H264_AUD: Uint8Array = Uint8Array.of(0x09, 0xf0);
export const H265_AUD: Uint8Array = Uint8Array.of(0x46, 0x01, 0x50);
const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** A length-prefixed frame as Annex B, `prefix` units (an AUD, SPS/PPS) first; empty units dropped. */
export function avccToAnnexB(payload: Uint8Array, nalLengthSize: number, prefix: readonly Uint8Array[] = []): Uint8Array {
  const units = [...prefix, ...splitNalUnits(payload, nalLengthSize)].filter((u) => u.length > 0);
  return concatBytes(...units.flatMap((u) => [START_CODE, u]));
}

/** Views of the NAL units of an Annex B byte stream (3- or 4-byte start codes). */
export function splitAnnexB(bytes: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < bytes.length) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      if (start >= 0) {
        let end = i;
        while (end > start && bytes[end - 1] === 0) end--; // trailing_zero_8bits / 4-byte code
        if (end > start) units.push(bytes.subarray(start, end));
      }
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < bytes.length) units.push(bytes.subarray(start));
  return units;
}

/** Length-prefixed form of NAL units (the inverse of splitNalUnits). */
export function nalUnitsToAvcc(units: readonly Uint8Array[], nalLengthSize = 4): Uint8Array {
  const max = 2 ** (8 * nalLengthSize) - 1;
  const out: Uint8Array[] = [];
  for (const u of units) {
    if (u.length > max) throw new RangeError(`NAL unit of ${u.length} bytes for length size ${nalLengthSize}`);
    const prefix = new Uint8Array(nalLengthSize);
    for (let i = nalLengthSize - 1, n = u.length; i >= 0; i--, n = Math.floor(n / 256)) prefix[i] = n & 0xff;
    out.push(prefix, u);
  }
  return concatBytes(...out);
}
