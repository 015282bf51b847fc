// The fragmented-MP4 reader (src/net/mp4) on raw bytes: the first byte picks whole init
// segments, whole media segments, or one box body decoder. Everything may only decode or
// throw SluiceError('MP4_DECODE').
import { readBoxes } from '../../../src/net/mp4/box-reader.ts';
import { decodeDops } from '../../../src/net/mp4/dops.ts';
import { decodeEsds } from '../../../src/net/mp4/esds.ts';
import { decodeTfhd, decodeTrun } from '../../../src/net/mp4/fragment-boxes.ts';
import { decodeFileType, decodeMdhd, decodeMvhd, decodeTkhd } from '../../../src/net/mp4/movie-boxes.ts';
import { readFragments } from '../../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../../src/net/mp4/read-init.ts';
import type { FuzzTarget } from './fuzz-target.ts';

const ENTRY = [
  (p: Uint8Array): unknown => readInitSegment(p),
  (p: Uint8Array): unknown => readFragments(p),
  (p: Uint8Array): unknown => readBoxes(p),
  (p: Uint8Array): unknown => decodeTrun(p),
  (p: Uint8Array): unknown => decodeTfhd(p),
  (p: Uint8Array): unknown => decodeEsds(p),
  (p: Uint8Array): unknown => decodeDops(p),
  (p: Uint8Array): unknown => [decodeFileType(p), decodeMvhd(p)],
  (p: Uint8Array): unknown => [decodeTkhd(p), decodeMdhd(p)],
];

export const target: FuzzTarget = {
  name: 'mp4-reader',
  description: 'fMP4 init segments, fragments and box bodies (tfhd, trun, esds, dOps, mvhd, tkhd, mdhd)',
  coverage: ['/src/net/mp4/'],
  maxLen: 4096,
  dictionary: ['ftyp', 'moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'mvex', 'trex', 'moof', 'traf', 'tfhd', 'tfdt', 'trun', 'mdat', 'avc1', 'mp4a', 'esds', 'Opus', 'dOps', Uint8Array.of(0, 0, 0, 1), Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0x80, 0x80, 0x80)],
  fuzz(data) {
    if (data.length === 0) return;
    ENTRY[data[0]! % ENTRY.length]!(data.subarray(1));
  },
};
