// The Opus specific box of an 'Opus' sample entry ("Encapsulation of Opus in ISO Base Media
// File Format" 4.3.2). It carries the fields of the OpusHead packet (RFC 7845 5.1) that
// enhanced RTMP sends as the sequence start, but big-endian instead of little-endian, with
// Version 0 instead of OpusHead's 1, and no magic.

import { SluiceError } from '../../errors.ts';
import { parseOpusHead } from '../codec/opus.ts';
import type { BoxWriter } from './box-writer.ts';
import { FieldReader } from './box-reader.ts';

export type Dops = {
  outputChannelCount: number;
  preSkip: number;
  inputSampleRate: number;
  /** Q7.8 dB, signed. */
  outputGain: number;
  channelMappingFamily: number;
  /** Present when channelMappingFamily is not 0. */
  mapping?: { streamCount: number; coupledCount: number; channelMapping: readonly number[] };
};

/** dOps values from an OpusHead packet; SluiceError('CODEC_DECODE') when it is malformed. */
export function dopsFromOpusHead(head: Uint8Array): Dops {
  const h = parseOpusHead(head);
  const out: Dops = {
    outputChannelCount: h.channels,
    preSkip: h.preSkip,
    inputSampleRate: h.inputSampleRate,
    outputGain: h.outputGain,
    channelMappingFamily: h.channelMappingFamily,
  };
  if (h.channelMappingFamily === 0) return out;
  // RFC 7845 5.1.1: the channel mapping table follows the 19 fixed bytes.
  if (head.length < 21 + h.channels) throw new SluiceError('CODEC_DECODE', 'OpusHead channel mapping table truncated');
  out.mapping = {
    streamCount: head[19]!,
    coupledCount: head[20]!,
    channelMapping: Array.from(head.subarray(21, 21 + h.channels)),
  };
  return out;
}

export function encodeDops(w: BoxWriter, v: Dops): void {
  w.open('dOps').u8(0).u8(v.outputChannelCount).u16(v.preSkip).u32(v.inputSampleRate).i16(v.outputGain);
  w.u8(v.channelMappingFamily);
  if (v.channelMappingFamily !== 0) {
    const m = v.mapping;
    if (m === undefined || m.channelMapping.length !== v.outputChannelCount) {
      throw new SluiceError('MP4_MUX', `Opus mapping family ${v.channelMappingFamily} needs one mapping per channel`);
    }
    w.u8(m.streamCount).u8(m.coupledCount);
    for (const c of m.channelMapping) w.u8(c);
  }
  w.close();
}

export function decodeDops(body: Uint8Array): Dops {
  const r = new FieldReader(body);
  const version = r.u8();
  if (version !== 0) throw new SluiceError('MP4_DECODE', `dOps version ${version}`);
  const out: Dops = {
    outputChannelCount: r.u8(),
    preSkip: r.u16(),
    inputSampleRate: r.u32(),
    outputGain: r.i16(),
    channelMappingFamily: r.u8(),
  };
  if (out.channelMappingFamily !== 0) {
    const streamCount = r.u8();
    const coupledCount = r.u8();
    out.mapping = { streamCount, coupledCount, channelMapping: Array.from(r.bytesOf(out.outputChannelCount)) };
  }
  r.end('dOps');
  return out;
}
