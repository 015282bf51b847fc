// The boxes of a movie fragment (ISO/IEC 14496-12 8.8.5-8.8.12): mfhd, tfhd, tfdt, trun,
// each with an encoder and a decoder of the same value.
//
// - tfhd always sets default-base-is-moof (0x020000): data offsets count from the start of
//   the moof, so a fragment is self-contained and can be served alone (an LL-HLS part) or
//   after any other bytes (a segment, a concatenation) without rewriting offsets.
// - tfdt is written as version 1 (64-bit): at 90 kHz a 32-bit decode time wraps after
//   13.3 hours (2^32 / 90000 s), and a live stream runs longer.
// - trun is written as version 1 when it carries composition offsets, so they are signed:
//   an FLV composition time is a signed 24-bit value, and a negative one must survive.

import { SluiceError } from '../../errors.ts';
import type { BoxWriter } from './box-writer.ts';
import { FieldReader } from './box-reader.ts';

/** sample_flags (14496-12 8.8.3.1): sample_depends_on 2, an intra picture / any audio frame. */
export const SAMPLE_FLAGS_SYNC = 0x0200_0000;
/** sample_depends_on 1 and sample_is_non_sync_sample: a predicted picture. */
export const SAMPLE_FLAGS_NON_SYNC = 0x0101_0000;

export const TFHD_BASE_DATA_OFFSET = 0x000001;
export const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x000002;
export const TFHD_DEFAULT_DURATION = 0x000008;
export const TFHD_DEFAULT_SIZE = 0x000010;
export const TFHD_DEFAULT_FLAGS = 0x000020;
export const TFHD_DURATION_IS_EMPTY = 0x010000;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

export const TRUN_DATA_OFFSET = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS = 0x000004;
export const TRUN_DURATION = 0x000100;
export const TRUN_SIZE = 0x000200;
export const TRUN_FLAGS = 0x000400;
export const TRUN_COMPOSITION_OFFSET = 0x000800;

export function encodeMfhd(w: BoxWriter, sequenceNumber: number): void {
  w.openFull('mfhd', 0, 0).u32(sequenceNumber).close();
}

export function decodeMfhd(body: Uint8Array): number {
  const r = new FieldReader(body);
  r.fullHeader();
  const n = r.u32();
  r.end('mfhd');
  return n;
}

export type Tfhd = {
  trackId: number;
  defaultBaseIsMoof: boolean;
  durationIsEmpty?: boolean;
  baseDataOffset?: number;
  sampleDescriptionIndex?: number;
  defaultSampleDuration?: number;
  defaultSampleSize?: number;
  defaultSampleFlags?: number;
};

export function encodeTfhd(w: BoxWriter, v: Tfhd): void {
  let flags = v.defaultBaseIsMoof ? TFHD_DEFAULT_BASE_IS_MOOF : 0;
  if (v.durationIsEmpty === true) flags |= TFHD_DURATION_IS_EMPTY;
  if (v.baseDataOffset !== undefined) flags |= TFHD_BASE_DATA_OFFSET;
  if (v.sampleDescriptionIndex !== undefined) flags |= TFHD_SAMPLE_DESCRIPTION_INDEX;
  if (v.defaultSampleDuration !== undefined) flags |= TFHD_DEFAULT_DURATION;
  if (v.defaultSampleSize !== undefined) flags |= TFHD_DEFAULT_SIZE;
  if (v.defaultSampleFlags !== undefined) flags |= TFHD_DEFAULT_FLAGS;
  w.openFull('tfhd', 0, flags).u32(v.trackId);
  if (v.baseDataOffset !== undefined) w.u64(v.baseDataOffset);
  if (v.sampleDescriptionIndex !== undefined) w.u32(v.sampleDescriptionIndex);
  if (v.defaultSampleDuration !== undefined) w.u32(v.defaultSampleDuration);
  if (v.defaultSampleSize !== undefined) w.u32(v.defaultSampleSize);
  if (v.defaultSampleFlags !== undefined) w.u32(v.defaultSampleFlags);
  w.close();
}

export function decodeTfhd(body: Uint8Array): Tfhd {
  const r = new FieldReader(body);
  const { flags } = r.fullHeader();
  const v: Tfhd = { trackId: r.u32(), defaultBaseIsMoof: (flags & TFHD_DEFAULT_BASE_IS_MOOF) !== 0 };
  if (flags & TFHD_DURATION_IS_EMPTY) v.durationIsEmpty = true;
  if (flags & TFHD_BASE_DATA_OFFSET) v.baseDataOffset = r.u64();
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) v.sampleDescriptionIndex = r.u32();
  if (flags & TFHD_DEFAULT_DURATION) v.defaultSampleDuration = r.u32();
  if (flags & TFHD_DEFAULT_SIZE) v.defaultSampleSize = r.u32();
  if (flags & TFHD_DEFAULT_FLAGS) v.defaultSampleFlags = r.u32();
  r.end('tfhd');
  return v;
}

export function encodeTfdt(w: BoxWriter, baseMediaDecodeTime: number): void {
  w.openFull('tfdt', 1, 0).u64(baseMediaDecodeTime).close();
}

export function decodeTfdt(body: Uint8Array): number {
  const r = new FieldReader(body);
  const { version } = r.fullHeader();
  if (version > 1) throw new SluiceError('MP4_DECODE', `tfdt version ${version}`);
  const t = version === 1 ? r.u64() : r.u32();
  r.end('tfdt');
  return t;
}

export type TrunSample = { duration?: number; size?: number; flags?: number; compositionOffset?: number };
export type Trun = { dataOffset?: number; firstSampleFlags?: number; samples: readonly TrunSample[] };

/** Which per-sample fields a run carries: those of its first sample, and every sample must agree. */
function sampleFieldFlags(samples: readonly TrunSample[]): number {
  const s = samples[0];
  if (s === undefined) return 0;
  const f =
    (s.duration !== undefined ? TRUN_DURATION : 0) |
    (s.size !== undefined ? TRUN_SIZE : 0) |
    (s.flags !== undefined ? TRUN_FLAGS : 0) |
    (s.compositionOffset !== undefined ? TRUN_COMPOSITION_OFFSET : 0);
  for (const x of samples) {
    const same =
      (x.duration !== undefined) === ((f & TRUN_DURATION) !== 0) &&
      (x.size !== undefined) === ((f & TRUN_SIZE) !== 0) &&
      (x.flags !== undefined) === ((f & TRUN_FLAGS) !== 0) &&
      (x.compositionOffset !== undefined) === ((f & TRUN_COMPOSITION_OFFSET) !== 0);
    if (!same) throw new SluiceError('MP4_MUX', 'trun samples carry different fields');
  }
  return f;
}

export function encodeTrun(w: BoxWriter, v: Trun): void {
  const fields = sampleFieldFlags(v.samples);
  let flags = fields;
  if (v.dataOffset !== undefined) flags |= TRUN_DATA_OFFSET;
  if (v.firstSampleFlags !== undefined) flags |= TRUN_FIRST_SAMPLE_FLAGS;
  w.openFull('trun', fields & TRUN_COMPOSITION_OFFSET ? 1 : 0, flags).u32(v.samples.length);
  if (v.dataOffset !== undefined) w.i32(v.dataOffset);
  if (v.firstSampleFlags !== undefined) w.u32(v.firstSampleFlags);
  for (const s of v.samples) {
    if (s.duration !== undefined) w.u32(s.duration);
    if (s.size !== undefined) w.u32(s.size);
    if (s.flags !== undefined) w.u32(s.flags);
    if (s.compositionOffset !== undefined) w.i32(s.compositionOffset);
  }
  w.close();
}

// A run whose samples all take the tfhd/trex defaults has no bytes per sample to bound its count.
const MAX_FIELDLESS_SAMPLES = 100_000;

export function decodeTrun(body: Uint8Array): Trun {
  const r = new FieldReader(body);
  const { version, flags } = r.fullHeader();
  const count = r.u32();
  const v: { dataOffset?: number; firstSampleFlags?: number; samples: TrunSample[] } = { samples: [] };
  if (flags & TRUN_DATA_OFFSET) v.dataOffset = r.i32();
  if (flags & TRUN_FIRST_SAMPLE_FLAGS) v.firstSampleFlags = r.u32();
  const perSample =
    (flags & TRUN_DURATION ? 4 : 0) + (flags & TRUN_SIZE ? 4 : 0) + (flags & TRUN_FLAGS ? 4 : 0) + (flags & TRUN_COMPOSITION_OFFSET ? 4 : 0);
  // Checked before the loop: a hostile count must not spin through billions of empty samples.
  if (perSample === 0 ? count > MAX_FIELDLESS_SAMPLES : count * perSample !== r.remaining) {
    throw new SluiceError('MP4_DECODE', `trun of ${count} samples does not match its ${r.remaining} bytes`);
  }
  for (let i = 0; i < count; i++) {
    const s: TrunSample = {};
    if (flags & TRUN_DURATION) s.duration = r.u32();
    if (flags & TRUN_SIZE) s.size = r.u32();
    if (flags & TRUN_FLAGS) s.flags = r.u32();
    if (flags & TRUN_COMPOSITION_OFFSET) s.compositionOffset = version === 0 ? r.u32() : r.i32();
    v.samples.push(s);
  }
  r.end('trun');
  return v;
}
