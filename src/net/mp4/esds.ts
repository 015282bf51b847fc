// The MPEG-4 elementary stream descriptor box that carries an AAC AudioSpecificConfig
// inside an mp4a sample entry (ISO/IEC 14496-14 5.6, descriptors from 14496-1 7.2.6):
// ES_Descriptor (tag 3) > DecoderConfigDescriptor (tag 4) > DecoderSpecificInfo (tag 5),
// then the SLConfigDescriptor (tag 6) that MP4 files fix to "predefined 2". Descriptor
// sizes use the expandable form: 7 bits per byte, high bit set on all but the last byte.
// The writer uses the shortest form; the reader accepts padded forms (ffmpeg writes 4 bytes).

import { SluiceError } from '../../errors.ts';
import type { BoxWriter } from './box-writer.ts';
import { FieldReader } from './box-reader.ts';

const TAG_ES = 0x03;
const TAG_DECODER_CONFIG = 0x04;
const TAG_DECODER_SPECIFIC = 0x05;
const TAG_SL_CONFIG = 0x06;
/** objectTypeIndication 0x40: Audio ISO/IEC 14496-3 (AAC in all its profiles). */
export const OTI_MPEG4_AUDIO = 0x40;
/** streamType 5 (audio) << 2, upStream 0, reserved bit 1. */
const STREAM_TYPE_AUDIO = (0x05 << 2) | 1;

export type Esds = {
  esId: number;
  objectTypeIndication: number;
  bufferSizeDB: number;
  maxBitrate: number;
  avgBitrate: number;
  /** For AAC: the AudioSpecificConfig. */
  decoderSpecificInfo: Uint8Array;
};

function sizeBytes(n: number): number[] {
  const out = [n & 0x7f];
  for (n >>>= 7; n > 0; n >>>= 7) out.unshift(0x80 | (n & 0x7f));
  return out;
}

function descriptor(w: BoxWriter, tag: number, bodyLength: number): void {
  w.u8(tag);
  for (const b of sizeBytes(bodyLength)) w.u8(b);
}

function descriptorLength(bodyLength: number): number {
  return 1 + sizeBytes(bodyLength).length + bodyLength;
}

export function encodeEsds(w: BoxWriter, v: Esds): void {
  const dsi = v.decoderSpecificInfo.length;
  const decoderConfig = 13 + descriptorLength(dsi);
  const es = 3 + descriptorLength(decoderConfig) + descriptorLength(1);
  w.openFull('esds', 0, 0);
  descriptor(w, TAG_ES, es);
  w.u16(v.esId).u8(0); // no dependence, URL or OCR stream
  descriptor(w, TAG_DECODER_CONFIG, decoderConfig);
  w.u8(v.objectTypeIndication).u8(STREAM_TYPE_AUDIO).u24(v.bufferSizeDB).u32(v.maxBitrate).u32(v.avgBitrate);
  descriptor(w, TAG_DECODER_SPECIFIC, dsi);
  w.bytes(v.decoderSpecificInfo);
  descriptor(w, TAG_SL_CONFIG, 1);
  w.u8(0x02).close();
}

/** Reads one descriptor header; returns its tag and a reader over exactly its body. */
function readDescriptor(r: FieldReader): { tag: number; body: FieldReader } {
  const tag = r.u8();
  let size = 0;
  for (let i = 0; ; i++) {
    if (i === 4) throw new SluiceError('MP4_DECODE', 'descriptor size longer than 4 bytes');
    const b = r.u8();
    size = size * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) break;
  }
  return { tag, body: new FieldReader(r.bytesOf(size)) };
}

export function decodeEsds(body: Uint8Array): Esds {
  const r = new FieldReader(body);
  const { version } = r.fullHeader();
  if (version !== 0) throw new SluiceError('MP4_DECODE', `esds version ${version}`);
  const es = readDescriptor(r);
  if (es.tag !== TAG_ES) throw new SluiceError('MP4_DECODE', `esds starts with descriptor tag ${es.tag}`);
  const esId = es.body.u16();
  const flags = es.body.u8();
  if (flags & 0x80) es.body.skip(2); // dependsOn_ES_ID
  if (flags & 0x40) es.body.skip(es.body.u8()); // URL
  if (flags & 0x20) es.body.skip(2); // OCR_ES_Id
  const dc = readDescriptor(es.body);
  if (dc.tag !== TAG_DECODER_CONFIG) throw new SluiceError('MP4_DECODE', `expected DecoderConfigDescriptor, got tag ${dc.tag}`);
  const objectTypeIndication = dc.body.u8();
  dc.body.skip(1);
  const bufferSizeDB = dc.body.u24();
  const maxBitrate = dc.body.u32();
  const avgBitrate = dc.body.u32();
  let decoderSpecificInfo = new Uint8Array(0);
  while (dc.body.remaining > 0) {
    const d = readDescriptor(dc.body);
    if (d.tag === TAG_DECODER_SPECIFIC) decoderSpecificInfo = Uint8Array.from(d.body.bytesOf(d.body.remaining));
  }
  return { esId, objectTypeIndication, bufferSizeDB, maxBitrate, avgBitrate, decoderSpecificInfo };
}
