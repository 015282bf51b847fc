import { SluiceError } from '../../errors.ts';

export const H264_NAL_SLICE = 1;
export const H264_NAL_IDR = 5;
export const H264_NAL_SEI = 6;
export const H264_NAL_SPS = 7;
export const H264_NAL_PPS = 8;
export const H264_NAL_AUD = 9;
export const H265_NAL_IDR_W_RADL = 19;
export const H265_NAL_IDR_N_LP = 20;
export const H265_NAL_CRA = 21;
export const H265_NAL_VPS = 32;
export const H265_NAL_SPS = 33;
export const H265_NAL_PPS = 34;
export const H265_NAL_AUD = 35;

/** Access unit delimiters (primary_pic_type "any"), ready to prefix a frame. */
export const H264_AUD: Uint8Array = Uint8Array.of(0x09, 0xf0);
export const H265_AUD: Uint8Array = Uint8Array.of(0x46, 0x01, 0x50);
export const ANNEXB_START_CODE: Uint8Array = Uint8Array.of(0, 0, 0, 1);

export type NalCodec = 'H264' | 'H265';

export function h264NalType(firstByte: number): number {
  return firstByte & 0x1f;
}

export function h265NalType(firstByte: number): number {
  return (firstByte >>> 1) & 0x3f;
}

function checkLengthSize(size: number): void {
  if (size !== 1 && size !== 2 && size !== 3 && size !== 4) {
    throw new SluiceError('CODEC_DECODE', `NAL length size ${size}`);
  }
}

function readLength(payload: Uint8Array, at: number, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + payload[at + i]!;
  return n;
}

/**
 * Offset just past the length-prefixed NAL unit starting at `offset`, checked against
 * the payload bounds (the unit itself is payload[offset + nalLengthSize, result)).
 * Lets a hot loop walk a frame without allocating.
 */
export function nextNalUnit(payload: Uint8Array, offset: number, nalLengthSize: number): number {
  if (payload.length - offset < nalLengthSize) throw new SluiceError('CODEC_DECODE', 'NAL length truncated');
  const len = readLength(payload, offset, nalLengthSize);
  const end = offset + nalLengthSize + len;
  if (end > payload.length) throw new SluiceError('CODEC_DECODE', `NAL unit of ${len} bytes overruns the payload`);
  return end;
}

/** Views (no copies) of each NAL unit in an AVCC/HVCC payload; malformed -> CODEC_DECODE. */
export function splitNalUnits(payload: Uint8Array, nalLengthSize: number): Uint8Array[] {
  checkLengthSize(nalLengthSize);
  const units: Uint8Array[] = [];
  let pos = 0;
  while (pos < payload.length) {
    const end = nextNalUnit(payload, pos, nalLengthSize);
    if (end > pos + nalLengthSize) units.push(payload.subarray(pos + nalLengthSize, end));
    pos = end;
  }
  return units;
}

/** True when any NAL unit of the frame is an access unit delimiter. */
export function hasAud(payload: Uint8Array, nalLengthSize: number, codec: NalCodec): boolean {
  checkLengthSize(nalLengthSize);
  let pos = 0;
  while (pos < payload.length) {
    const end = nextNalUnit(payload, pos, nalLengthSize);
    const start = pos + nalLengthSize;
    if (end > start) {
      const b = payload[start]!;
      if (codec === 'H264' ? h264NalType(b) === H264_NAL_AUD : h265NalType(b) === H265_NAL_AUD) return true;
    }
    pos = end;
  }
  return false;
}

/**
 * Rewrites a length-prefixed frame as Annex B (00 00 00 01 before each unit), in one
 * allocation. `prefix` units (an AUD, SPS/PPS before a keyframe) go first, each with a start code.
 */
export function avccToAnnexB(payload: Uint8Array, nalLengthSize: number, prefix?: readonly Uint8Array[]): Uint8Array {
  checkLengthSize(nalLengthSize);
  let total = 0;
  if (prefix) for (const p of prefix) total += 4 + p.length;
  let pos = 0;
  while (pos < payload.length) {
    const end = nextNalUnit(payload, pos, nalLengthSize);
    if (end > pos + nalLengthSize) total += 4 + end - pos - nalLengthSize;
    pos = end;
  }
  const out = new Uint8Array(total);
  let w = 0;
  if (prefix) {
    for (const p of prefix) {
      out.set(ANNEXB_START_CODE, w);
      out.set(p, w + 4);
      w += 4 + p.length;
    }
  }
  pos = 0;
  while (pos < payload.length) {
    const end = nextNalUnit(payload, pos, nalLengthSize);
    const start = pos + nalLengthSize;
    if (end > start) {
      out.set(ANNEXB_START_CODE, w);
      out.set(payload.subarray(start, end), w + 4);
      w += 4 + end - start;
    }
    pos = end;
  }
  return out;
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
  checkLengthSize(nalLengthSize);
  const max = 2 ** (8 * nalLengthSize) - 1;
  let total = 0;
  for (const u of units) {
    if (u.length > max) throw new SluiceError('CODEC_ENCODE', `NAL unit of ${u.length} bytes for length size ${nalLengthSize}`);
    total += nalLengthSize + u.length;
  }
  const out = new Uint8Array(total);
  let w = 0;
  for (const u of units) {
    let n = u.length;
    for (let i = nalLengthSize - 1; i >= 0; i--) {
      out[w + i] = n & 0xff;
      n = Math.floor(n / 256);
    }
    out.set(u, w + nalLengthSize);
    w += nalLengthSize + u.length;
  }
  return out;
}
