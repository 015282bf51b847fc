// init.mp4: ftyp + moov for fragmented MP4 (ISO/IEC 14496-12 8.8). The moov describes the
// tracks and holds no samples: its sample tables (stts, stsc, stsz, stco) are present but
// empty, as 14496-12 requires the boxes, and mvex/trex announces that the samples come in
// movie fragments. Audio and video share one init segment (muxed fMP4, as HLS allows), so
// the file does not claim the CMAF brand 'cmfc', which asks for one track per file.
// Brand 'iso6' covers what the fragments use: tfdt and trun version 1, default-base-is-moof.

import { SluiceError } from '../../errors.ts';
import { BoxWriter } from './box-writer.ts';
import { encodeFileType, encodeHdlr, encodeMdhd, encodeMvhd, encodeTkhd, encodeTrex, type FileType } from './movie-boxes.ts';
import { encodeStsd } from './sample-entries.ts';
import type { Mp4Track } from './track.ts';

export const INIT_FILE_TYPE: FileType = { majorBrand: 'iso6', minorVersion: 0, compatibleBrands: ['iso6', 'mp41'] };
/** mvhd timescale: nothing is timed at movie level in a fragmented file; 1000 is readable. */
const MOVIE_TIMESCALE = 1000;

function writeMediaInformation(w: BoxWriter, t: Mp4Track): void {
  w.open('minf');
  if (t.kind === 'video') w.fullBox('vmhd', 0, 1, (b) => b.zeros(8)); // flags 1 per 14496-12 12.1.2; graphicsmode copy
  else w.fullBox('smhd', 0, 0, (b) => b.zeros(4)); // balance centre, reserved
  // One data reference, flag 1: the media is in this same file.
  w.box('dinf', (d) => d.fullBox('dref', 0, 0, (r) => r.u32(1).fullBox('url ', 0, 1, () => {})));
  w.open('stbl');
  encodeStsd(w, t.entry);
  w.fullBox('stts', 0, 0, (b) => b.u32(0));
  w.fullBox('stsc', 0, 0, (b) => b.u32(0));
  w.fullBox('stsz', 0, 0, (b) => b.u32(0).u32(0));
  w.fullBox('stco', 0, 0, (b) => b.u32(0));
  w.close().close();
}

function writeTrack(w: BoxWriter, t: Mp4Track): void {
  w.open('trak');
  encodeTkhd(w, { trackId: t.id, audio: t.kind === 'audio', width: t.width, height: t.height });
  w.open('mdia');
  encodeMdhd(w, { timescale: t.timescale, language: 'und' });
  encodeHdlr(w, t.kind === 'video' ? { handlerType: 'vide', name: 'VideoHandler' } : { handlerType: 'soun', name: 'SoundHandler' });
  writeMediaInformation(w, t);
  w.close().close();
}

/** The init segment for these tracks (at most one video and one audio in practice). */
export function writeInitSegment(tracks: readonly Mp4Track[]): Uint8Array {
  if (tracks.length === 0) throw new SluiceError('MP4_MUX', 'an init segment needs a track');
  const ids = new Set(tracks.map((t) => t.id));
  if (ids.size !== tracks.length || tracks.some((t) => !(t.id >= 1 && Number.isInteger(t.id)))) {
    throw new SluiceError('MP4_MUX', 'track ids must be distinct integers from 1');
  }
  const w = new BoxWriter(2048);
  encodeFileType(w, 'ftyp', INIT_FILE_TYPE);
  w.open('moov');
  encodeMvhd(w, { timescale: MOVIE_TIMESCALE, nextTrackId: Math.max(...ids) + 1 });
  for (const t of tracks) writeTrack(w, t);
  w.open('mvex');
  for (const t of tracks) {
    encodeTrex(w, { trackId: t.id, defaultSampleDescriptionIndex: 1, defaultSampleDuration: 0, defaultSampleSize: 0, defaultSampleFlags: 0 });
  }
  w.close().close();
  return w.finish();
}
