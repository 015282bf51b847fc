// Sample entries of the stsd box (ISO/IEC 14496-12 12.1.3, 12.2.3): the codec of a track
// and its decoder configuration. Video: avc1 + avcC (14496-15 5.4), hvc1 + hvcC (8.4);
// the FLV sequence header already is that configuration record, so it is copied as is.
// hvc1 (not hev1) because Apple's HLS authoring spec requires it; it promises the parameter
// sets are in hvcC, which the FLV sequence header guarantees. Audio: mp4a + esds for AAC,
// Opus + dOps for Opus.

import { SluiceError } from '../../errors.ts';
import type { BoxWriter } from './box-writer.ts';
import { childBoxes, FieldReader, type Mp4Box } from './box-reader.ts';
import { decodeEsds, encodeEsds, type Esds } from './esds.ts';
import { decodeDops, encodeDops, type Dops } from './dops.ts';

export type VisualEntry = {
  format: 'avc1' | 'hvc1';
  width: number;
  height: number;
  /** The avcC / hvcC record. */
  config: Uint8Array;
};

export type AacEntry = { format: 'mp4a'; channelCount: number; sampleRate: number; esds: Esds };
export type OpusEntry = { format: 'Opus'; channelCount: number; sampleRate: number; dops: Dops };
export type SampleEntry = VisualEntry | AacEntry | OpusEntry;

/** Fixed fields before the child boxes of a VisualSampleEntry / AudioSampleEntry. */
export const VISUAL_ENTRY_FIELDS = 78;
export const AUDIO_ENTRY_FIELDS = 28;
const DPI_72 = 0x0048_0000;

function configBoxType(format: VisualEntry['format']): string {
  return format === 'avc1' ? 'avcC' : 'hvcC';
}

function encodeVisual(w: BoxWriter, v: VisualEntry): void {
  w.open(v.format).zeros(6).u16(1); // reserved, data_reference_index 1 (the dref's only entry)
  w.zeros(16).u16(v.width).u16(v.height).u32(DPI_72).u32(DPI_72).u32(0);
  w.u16(1).zeros(32).u16(0x0018).i16(-1); // frame_count 1, empty compressorname, depth 24, pre_defined -1
  w.open(configBoxType(v.format)).bytes(v.config).close();
  w.close();
}

function encodeAudio(w: BoxWriter, v: AacEntry | OpusEntry): void {
  // samplerate is 16.16 fixed point and cannot hold 65536 Hz or more; 14496-12 12.2.3 then
  // defers to the media timescale, so 0 is written.
  const rate = v.sampleRate < 0x10000 ? v.sampleRate * 0x10000 : 0;
  w.open(v.format).zeros(6).u16(1).zeros(8).u16(v.channelCount).u16(16).u16(0).u16(0).u32(rate);
  if (v.format === 'mp4a') encodeEsds(w, v.esds);
  else encodeDops(w, v.dops);
  w.close();
}

/** The stsd box with one sample entry. */
export function encodeStsd(w: BoxWriter, entry: SampleEntry): void {
  w.openFull('stsd', 0, 0).u32(1);
  if (entry.format === 'mp4a' || entry.format === 'Opus') encodeAudio(w, entry);
  else encodeVisual(w, entry);
  w.close();
}

function child(box: Mp4Box, skip: number, type: string): Mp4Box {
  const c = childBoxes(box, skip).find((b) => b.type === type);
  if (c === undefined) throw new SluiceError('MP4_DECODE', `${box.type} without ${type}`);
  return c;
}

/** Decodes one sample entry box (a child of stsd). */
export function decodeSampleEntry(box: Mp4Box): SampleEntry {
  const r = new FieldReader(box.body);
  r.skip(6);
  r.u16(); // data_reference_index
  switch (box.type) {
    case 'avc1':
    case 'hvc1': {
      r.skip(16);
      const width = r.u16();
      const height = r.u16();
      const config = child(box, VISUAL_ENTRY_FIELDS, configBoxType(box.type)).body.slice();
      return { format: box.type, width, height, config };
    }
    case 'mp4a':
    case 'Opus': {
      r.skip(8);
      const channelCount = r.u16();
      r.skip(6);
      const sampleRate = r.u32() / 0x10000;
      if (box.type === 'mp4a') {
        return { format: 'mp4a', channelCount, sampleRate, esds: decodeEsds(child(box, AUDIO_ENTRY_FIELDS, 'esds').body) };
      }
      return { format: 'Opus', channelCount, sampleRate, dops: decodeDops(child(box, AUDIO_ENTRY_FIELDS, 'dOps').body) };
    }
    default:
      throw new SluiceError('MP4_DECODE', `sample entry ${JSON.stringify(box.type)} is not one we write`);
  }
}

/** The single sample entry of an stsd box body. */
export function decodeStsd(stsd: Mp4Box): SampleEntry {
  const r = new FieldReader(stsd.body);
  r.fullHeader();
  const count = r.u32();
  const entries = childBoxes(stsd, 8);
  if (count !== 1 || entries.length !== 1) throw new SluiceError('MP4_DECODE', `stsd with ${count} entries`);
  return decodeSampleEntry(entries[0]!);
}
