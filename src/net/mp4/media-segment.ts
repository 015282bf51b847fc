// One movie fragment: [styp] moof (mfhd, one traf per track: tfhd, tfdt, trun) + mdat
// (ISO/IEC 14496-12 8.8.4). A media segment is one or more of these laid end to end, and an
// LL-HLS part is exactly one, so the same writer serves both. Times here are already in
// track ticks; converting from FLV milliseconds is the fragmenter's job.
//
// Each trun's data_offset counts from the first byte of the moof (default-base-is-moof),
// and the mdat holds the tracks' samples one run after the other, in traf order.

import { SluiceError } from '../../errors.ts';
import { BoxWriter } from './box-writer.ts';
import { encodeFileType, type FileType } from './movie-boxes.ts';
import { encodeMfhd, encodeTfdt, encodeTfhd, encodeTrun, SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC, type TrunSample } from './fragment-boxes.ts';

/** styp of a media segment that starts with this fragment (optional in HLS). */
export const SEGMENT_FILE_TYPE: FileType = { majorBrand: 'msdh', minorVersion: 0, compatibleBrands: ['msdh', 'iso6'] };

export type FragmentSample = {
  /** Ticks until the next sample's decode time. */
  duration: number;
  /** Ticks from decode to presentation time (signed). */
  compositionOffset: number;
  keyframe: boolean;
  data: Uint8Array;
};

export type TrackRun = {
  trackId: number;
  kind: 'video' | 'audio';
  /** Decode time of the first sample, in track ticks (tfdt). */
  baseMediaDecodeTime: number;
  samples: readonly FragmentSample[];
};

export type FragmentOptions = {
  /** mfhd sequence_number: 1 for the first fragment, one more for each after it. */
  sequenceNumber: number;
  /** Precede the moof with styp (a segment's first fragment, when wanted). */
  styp?: boolean;
};

const MDAT_HEADER = 8;

function trunSamples(run: TrackRun): TrunSample[] {
  if (run.kind === 'audio') return run.samples.map((s) => ({ duration: s.duration, size: s.data.length }));
  // Video: flags per sample (sync or not) and composition offsets for reordered pictures.
  return run.samples.map((s) => ({
    duration: s.duration,
    size: s.data.length,
    flags: s.keyframe ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC,
    compositionOffset: s.compositionOffset,
  }));
}

/** Writes one fragment of these runs; runs without samples are left out. */
export function writeFragment(runs: readonly TrackRun[], opts: FragmentOptions): Uint8Array {
  const used = runs.filter((r) => r.samples.length > 0);
  if (used.length === 0) throw new SluiceError('MP4_MUX', 'a fragment needs at least one sample');
  let payload = 0;
  for (const r of used) {
    for (const s of r.samples) {
      if (!(Number.isInteger(s.duration) && s.duration >= 0 && s.duration <= 0xffff_ffff)) {
        throw new SluiceError('MP4_MUX', `track ${r.trackId}: sample duration ${s.duration}`);
      }
      payload += s.data.length;
    }
  }
  if (payload + MDAT_HEADER > 0xffff_ffff) throw new SluiceError('MP4_MUX', 'fragment too large for a 32-bit mdat');
  const w = new BoxWriter(1024 + payload + 16 * used.reduce((n, r) => n + r.samples.length, 0));
  if (opts.styp === true) encodeFileType(w, 'styp', SEGMENT_FILE_TYPE);
  const moofStart = w.length;
  const offsetFields: number[] = [];
  w.open('moof');
  encodeMfhd(w, opts.sequenceNumber);
  for (const r of used) {
    w.open('traf');
    // Audio frames are all sync samples: one default in tfhd instead of flags per sample.
    encodeTfhd(w, r.kind === 'audio' ? { trackId: r.trackId, defaultBaseIsMoof: true, defaultSampleFlags: SAMPLE_FLAGS_SYNC } : { trackId: r.trackId, defaultBaseIsMoof: true });
    encodeTfdt(w, r.baseMediaDecodeTime);
    // trun: 8-byte box header, version+flags, sample_count, then data_offset.
    offsetFields.push(w.length + 16);
    encodeTrun(w, { dataOffset: 0, samples: trunSamples(r) });
    w.close();
  }
  w.close();
  const moofSize = w.length - moofStart;
  let offset = moofSize + MDAT_HEADER;
  used.forEach((r, i) => {
    w.setU32At(offsetFields[i]!, offset);
    for (const s of r.samples) offset += s.data.length;
  });
  w.u32(MDAT_HEADER + payload).fourcc('mdat');
  for (const r of used) for (const s of r.samples) w.bytes(s.data);
  return w.finish();
}
