// The boxes of an init segment's movie header that carry values (ISO/IEC 14496-12 8.2-8.4,
// 8.8.3): ftyp/styp, mvhd, tkhd, mdhd, hdlr, trex. Each has an encoder writing into a
// BoxWriter and a decoder reading a box body back into the same value. A live stream has no
// duration yet, so every duration is 0 and times of creation are 0 (1904-01-01: no clock
// is read here, and a fixed value keeps the output byte-for-byte reproducible).

import { SluiceError } from '../../errors.ts';
import type { BoxWriter } from './box-writer.ts';
import { FieldReader } from './box-reader.ts';

/** Unity transformation matrix (14496-12 8.2.2): a, b, u, c, d, v, x, y, w. */
const UNITY_MATRIX = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] as const;

export type FileType = { majorBrand: string; minorVersion: number; compatibleBrands: readonly string[] };

/** ftyp at the start of init.mp4, or styp (same layout) at the start of a media segment. */
export function encodeFileType(w: BoxWriter, type: 'ftyp' | 'styp', v: FileType): void {
  w.open(type).fourcc(v.majorBrand).u32(v.minorVersion);
  for (const b of v.compatibleBrands) w.fourcc(b);
  w.close();
}

export function decodeFileType(body: Uint8Array): FileType {
  const r = new FieldReader(body);
  const majorBrand = r.fourcc();
  const minorVersion = r.u32();
  if (r.remaining % 4 !== 0) throw new SluiceError('MP4_DECODE', 'ftyp brand list is not whole four-character codes');
  const compatibleBrands: string[] = [];
  while (r.remaining > 0) compatibleBrands.push(r.fourcc());
  return { majorBrand, minorVersion, compatibleBrands };
}

function matrix(w: BoxWriter): void {
  for (const m of UNITY_MATRIX) w.u32(m);
}

/** Times, timescale and duration as version 0 or 1 lay them out (mvhd, tkhd, mdhd). */
function readTimes(r: FieldReader, version: number, withTrackId: boolean): { timescale: number; trackId: number; duration: number } {
  const long = version === 1;
  if (version > 1) throw new SluiceError('MP4_DECODE', `header box version ${version}`);
  r.skip(long ? 16 : 8); // creation_time, modification_time
  let trackId = 0;
  let timescale = 0;
  if (withTrackId) {
    trackId = r.u32();
    r.skip(4);
  } else {
    timescale = r.u32();
  }
  const duration = long ? r.u64() : r.u32();
  return { timescale, trackId, duration };
}

export type MovieHeader = { timescale: number; nextTrackId: number };

export function encodeMvhd(w: BoxWriter, v: MovieHeader): void {
  w.openFull('mvhd', 0, 0).u32(0).u32(0).u32(v.timescale).u32(0);
  w.u32(0x0001_0000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
  matrix(w);
  w.zeros(24).u32(v.nextTrackId).close(); // pre_defined
}

export function decodeMvhd(body: Uint8Array): MovieHeader {
  const r = new FieldReader(body);
  const { version } = r.fullHeader();
  const { timescale } = readTimes(r, version, false);
  r.skip(4 + 2 + 10 + 36 + 24);
  const nextTrackId = r.u32();
  r.end('mvhd');
  return { timescale, nextTrackId };
}

export type TrackHeader = { trackId: number; audio: boolean; width: number; height: number };

// Flags 3: track_enabled | track_in_movie; a disabled track is not played at all.
const TKHD_FLAGS = 0x000003;

export function encodeTkhd(w: BoxWriter, v: TrackHeader): void {
  w.openFull('tkhd', 0, TKHD_FLAGS).u32(0).u32(0).u32(v.trackId).u32(0).u32(0);
  w.zeros(8).u16(0).u16(0).u16(v.audio ? 0x0100 : 0).u16(0); // reserved, layer, alternate_group, volume
  matrix(w);
  // Width and height are 16.16 fixed point: the presentation size in pixels.
  w.u32(v.width * 0x10000).u32(v.height * 0x10000).close();
}

export function decodeTkhd(body: Uint8Array): TrackHeader {
  const r = new FieldReader(body);
  const { version } = r.fullHeader();
  const { trackId } = readTimes(r, version, true);
  r.skip(8 + 2 + 2);
  const audio = r.u16() !== 0;
  r.skip(2 + 36);
  const width = r.u32() / 0x10000;
  const height = r.u32() / 0x10000;
  r.end('tkhd');
  return { trackId, audio, width, height };
}

export type MediaHeader = { timescale: number; language: string };

/** ISO 639-2/T code packed as three 5-bit letters offset from 0x60 ('und' -> 0x55c4). */
function packLanguage(lang: string): number {
  if (!/^[a-z]{3}$/.test(lang)) throw new SluiceError('MP4_MUX', `language ${JSON.stringify(lang)}`);
  return ((lang.charCodeAt(0) - 0x60) << 10) | ((lang.charCodeAt(1) - 0x60) << 5) | (lang.charCodeAt(2) - 0x60);
}

export function encodeMdhd(w: BoxWriter, v: MediaHeader): void {
  w.openFull('mdhd', 0, 0).u32(0).u32(0).u32(v.timescale).u32(0).u16(packLanguage(v.language)).u16(0).close();
}

export function decodeMdhd(body: Uint8Array): MediaHeader {
  const r = new FieldReader(body);
  const { version } = r.fullHeader();
  const { timescale } = readTimes(r, version, false);
  const packed = r.u16();
  r.skip(2);
  r.end('mdhd');
  const letter = (shift: number): string => String.fromCharCode(((packed >>> shift) & 0x1f) + 0x60);
  return { timescale, language: letter(10) + letter(5) + letter(0) };
}

export type Handler = { handlerType: string; name: string };

export function encodeHdlr(w: BoxWriter, v: Handler): void {
  w.openFull('hdlr', 0, 0).u32(0).fourcc(v.handlerType).zeros(12);
  w.bytes(new TextEncoder().encode(v.name)).u8(0).close(); // a null-terminated UTF-8 name
}

export function decodeHdlr(body: Uint8Array): Handler {
  const r = new FieldReader(body);
  r.fullHeader();
  r.skip(4);
  const handlerType = r.fourcc();
  r.skip(12);
  const rest = r.bytesOf(r.remaining);
  const nul = rest.indexOf(0);
  return { handlerType, name: new TextDecoder().decode(nul < 0 ? rest : rest.subarray(0, nul)) };
}

export type TrackExtends = {
  trackId: number;
  defaultSampleDescriptionIndex: number;
  defaultSampleDuration: number;
  defaultSampleSize: number;
  defaultSampleFlags: number;
};

export function encodeTrex(w: BoxWriter, v: TrackExtends): void {
  w.openFull('trex', 0, 0).u32(v.trackId).u32(v.defaultSampleDescriptionIndex);
  w.u32(v.defaultSampleDuration).u32(v.defaultSampleSize).u32(v.defaultSampleFlags).close();
}

export function decodeTrex(body: Uint8Array): TrackExtends {
  const r = new FieldReader(body);
  r.fullHeader();
  const v = {
    trackId: r.u32(),
    defaultSampleDescriptionIndex: r.u32(),
    defaultSampleDuration: r.u32(),
    defaultSampleSize: r.u32(),
    defaultSampleFlags: r.u32(),
  };
  r.end('trex');
  return v;
}
