// Reads an init segment back into the values its boxes were written from: for tests that
// check the writer field by field, and for tools. Only the boxes this muxer writes are
// interpreted; anything malformed is SluiceError('MP4_DECODE').

import { boxAt, childBoxes, readBoxes, requireBox } from './box-reader.ts';
import {
  decodeFileType,
  decodeHdlr,
  decodeMdhd,
  decodeMvhd,
  decodeTkhd,
  decodeTrex,
  type FileType,
  type Handler,
  type MediaHeader,
  type MovieHeader,
  type TrackExtends,
  type TrackHeader,
} from './movie-boxes.ts';
import { decodeStsd, type SampleEntry } from './sample-entries.ts';

export type InitTrack = { header: TrackHeader; media: MediaHeader; handler: Handler; entry: SampleEntry; extends: TrackExtends | null };
export type InitSegment = { fileType: FileType; movie: MovieHeader; tracks: InitTrack[] };

export function readInitSegment(bytes: Uint8Array): InitSegment {
  const top = readBoxes(bytes);
  const moov = childBoxes(requireBox(top, 'moov'));
  const mvex = moov.find((b) => b.type === 'mvex');
  const trexes = mvex ? childBoxes(mvex).filter((b) => b.type === 'trex').map((b) => decodeTrex(b.body)) : [];
  const tracks = moov
    .filter((b) => b.type === 'trak')
    .map((trak): InitTrack => {
      const parts = childBoxes(trak);
      const header = decodeTkhd(requireBox(parts, 'tkhd').body);
      const mdia = childBoxes(requireBox(parts, 'mdia'));
      return {
        header,
        media: decodeMdhd(requireBox(mdia, 'mdhd').body),
        handler: decodeHdlr(requireBox(mdia, 'hdlr').body),
        entry: decodeStsd(boxAt(mdia, ['minf', 'stbl', 'stsd'])),
        extends: trexes.find((t) => t.trackId === header.trackId) ?? null,
      };
    });
  return {
    fileType: decodeFileType(requireBox(top, 'ftyp').body),
    movie: decodeMvhd(requireBox(moov, 'mvhd').body),
    tracks,
  };
}
