// Reads media segments back (any number of [styp] moof + mdat fragments laid end to end)
// into samples with their decode and presentation times in track ticks and their bytes,
// resolving defaults from tfhd and, when given, trex. For tests and tools; everything that
// does not add up (offsets outside the data, sizes past the end) is SluiceError('MP4_DECODE').

import { SluiceError } from '../../errors.ts';
import { childBoxes, readBoxes, requireBox, type Mp4Box } from './box-reader.ts';
import { decodeMfhd, decodeTfdt, decodeTfhd, decodeTrun, type Tfhd } from './fragment-boxes.ts';
import type { TrackExtends } from './movie-boxes.ts';

export type ReadSample = { dts: number; pts: number; duration: number; flags: number; data: Uint8Array };
export type ReadTraf = { tfhd: Tfhd; baseMediaDecodeTime: number; samples: ReadSample[] };
export type ReadFragment = { sequenceNumber: number; moofStart: number; trafs: ReadTraf[] };

function readTraf(traf: Mp4Box, moof: Mp4Box, file: Uint8Array, trex: readonly TrackExtends[]): ReadTraf {
  const boxes = childBoxes(traf);
  const tfhd = decodeTfhd(requireBox(boxes, 'tfhd').body);
  const defaults = trex.find((t) => t.trackId === tfhd.trackId);
  const tfdtBox = boxes.find((b) => b.type === 'tfdt');
  const baseMediaDecodeTime = tfdtBox ? decodeTfdt(tfdtBox.body) : 0;
  // Without default-base-is-moof or a base offset, 14496-12 8.8.7.1 says the base is the
  // first byte of the moof for the first traf as well; this muxer always sets the flag.
  const base = tfhd.baseDataOffset ?? moof.start;
  const samples: ReadSample[] = [];
  let dts = baseMediaDecodeTime;
  let pos = base;
  for (const b of boxes.filter((x) => x.type === 'trun')) {
    const trun = decodeTrun(b.body);
    if (trun.dataOffset !== undefined) pos = base + trun.dataOffset;
    trun.samples.forEach((s, i) => {
      const duration = s.duration ?? tfhd.defaultSampleDuration ?? defaults?.defaultSampleDuration ?? 0;
      const size = s.size ?? tfhd.defaultSampleSize ?? defaults?.defaultSampleSize ?? 0;
      const first = i === 0 ? trun.firstSampleFlags : undefined;
      const flags = s.flags ?? first ?? tfhd.defaultSampleFlags ?? defaults?.defaultSampleFlags ?? 0;
      if (pos < 0 || pos + size > file.length) {
        throw new SluiceError('MP4_DECODE', `track ${tfhd.trackId}: sample of ${size} bytes at ${pos} outside the ${file.length} bytes`);
      }
      samples.push({ dts, pts: dts + (s.compositionOffset ?? 0), duration, flags, data: file.subarray(pos, pos + size) });
      dts += duration;
      pos += size;
    });
  }
  return { tfhd, baseMediaDecodeTime, samples };
}

/** Every fragment in these bytes, in order; trex gives the defaults of the init segment. */
export function readFragments(bytes: Uint8Array, trex: readonly TrackExtends[] = []): ReadFragment[] {
  const out: ReadFragment[] = [];
  for (const box of readBoxes(bytes)) {
    if (box.type !== 'moof') continue;
    const parts = childBoxes(box);
    out.push({
      sequenceNumber: decodeMfhd(requireBox(parts, 'mfhd').body),
      moofStart: box.start,
      trafs: parts.filter((b) => b.type === 'traf').map((t) => readTraf(t, box, bytes, trex)),
    });
  }
  return out;
}
