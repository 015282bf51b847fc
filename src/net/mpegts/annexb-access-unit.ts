// Turns one length-prefixed (AVCC/HVCC) access unit into Annex B for MPEG-TS: 4-byte start
// codes, an access unit delimiter first (required in TS by H.264 2.1 / H.265 2.17 carriage
// rules and relied on by Apple's HLS validator), and the parameter sets before a keyframe so
// that every segment decodes on its own.

import { SluiceError } from '../../errors.ts';

const AUD_H264 = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0); // primary_pic_type 7 (any)
const AUD_H265 = Uint8Array.of(0, 0, 0, 1, 0x46, 0x01, 0x50); // type 35, tid 1, pic_type 2 (any)

export type VideoParams = {
  hevc: boolean;
  /** Bytes of each NAL length prefix (1, 2 or 4). */
  nalLengthSize: number;
  /** SPS/PPS (H.264) or VPS/SPS/PPS (H.265), in decoding order, without prefixes. */
  parameterSets: Uint8Array[];
};

function nalType(first: number, hevc: boolean): number {
  return hevc ? (first >>> 1) & 0x3f : first & 0x1f;
}

/** Scans then writes one access unit; state lives in fields so nothing is allocated per frame. */
export class AnnexBAccessUnit {
  hasAud = false;
  hasParameterSets = false;
  private nalBytes = 0;
  private nalCount = 0;

  /** Validates the prefixes and notes which NAL types are already present. */
  scan(body: Uint8Array, p: VideoParams): void {
    const n = p.nalLengthSize;
    const aud = p.hevc ? 35 : 9;
    const sps = p.hevc ? 33 : 7;
    this.hasAud = false;
    this.hasParameterSets = false;
    this.nalBytes = 0;
    this.nalCount = 0;
    let i = 0;
    while (i < body.length) {
      if (i + n > body.length) throw new SluiceError('TS_MUX', `truncated NAL length at ${i}`);
      let len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + body[i + k]!;
      i += n;
      if (len > body.length - i) throw new SluiceError('TS_MUX', `NAL of ${len} bytes overruns the frame at ${i}`);
      if (len === 0) continue;
      const t = nalType(body[i]!, p.hevc);
      if (t === aud && this.nalCount === 0) this.hasAud = true;
      if (t === sps) this.hasParameterSets = true;
      this.nalBytes += len;
      this.nalCount++;
      i += len;
    }
  }

  /** Annex B size of the last scanned unit, with the inserted NALs. */
  size(p: VideoParams, insertParameterSets: boolean): number {
    let size = this.nalBytes + 4 * this.nalCount;
    if (!this.hasAud) size += p.hevc ? AUD_H265.length : AUD_H264.length;
    if (insertParameterSets) for (const ps of p.parameterSets) size += 4 + ps.length;
    return size;
  }

  /** Writes the last scanned unit at `off`; returns the offset after it. */
  write(out: Uint8Array, off: number, body: Uint8Array, p: VideoParams, insertParameterSets: boolean): number {
    const n = p.nalLengthSize;
    const aud = p.hevc ? 35 : 9;
    if (!this.hasAud) {
      const a = p.hevc ? AUD_H265 : AUD_H264;
      out.set(a, off);
      off += a.length;
    }
    let paramsPending = insertParameterSets;
    let i = 0;
    while (i < body.length) {
      let len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + body[i + k]!;
      i += n;
      if (len === 0) continue;
      if (paramsPending && nalType(body[i]!, p.hevc) !== aud) {
        off = writeParameterSets(out, off, p);
        paramsPending = false;
      }
      out[off] = 0;
      out[off + 1] = 0;
      out[off + 2] = 0;
      out[off + 3] = 1;
      out.set(body.subarray(i, i + len), off + 4);
      off += 4 + len;
      i += len;
    }
    if (paramsPending) off = writeParameterSets(out, off, p);
    return off;
  }
}

function writeParameterSets(out: Uint8Array, off: number, p: VideoParams): number {
  for (const ps of p.parameterSets) {
    out[off] = 0;
    out[off + 1] = 0;
    out[off + 2] = 0;
    out[off + 3] = 1;
    out.set(ps, off + 4);
    off += 4 + ps.length;
  }
  return off;
}
