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
