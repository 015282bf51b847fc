// A track of the fragmented MP4 output, built from what an FLV stream's sequence header
// carries: the AVC/HEVC decoder configuration record, the AAC AudioSpecificConfig, or the
// OpusHead packet. Malformed headers are SluiceError('CODEC_DECODE') from the codec parsers.
//
// Timescales: video 90000 Hz, so FLV milliseconds convert exactly (x90) and every common
// frame rate has whole-tick durations (29.97 fps = 3003 ticks); audio the sample rate (Opus
// always 48000, RFC 7845 4), as players and Apple's authoring spec expect.

import { parseAacConfig } from '../codec/aac.ts';
import { parseAvcConfig } from '../codec/avc.ts';
import { parseHevcConfig } from '../codec/hevc.ts';
import { OTI_MPEG4_AUDIO } from './esds.ts';
import { dopsFromOpusHead } from './dops.ts';
import type { SampleEntry } from './sample-entries.ts';

export const VIDEO_TIMESCALE = 90000;
export const OPUS_TIMESCALE = 48000;

export type Mp4Track = {
  /** track_ID, from 1. */
  id: number;
  kind: 'video' | 'audio';
  /** Ticks per second of this track's times. */
  timescale: number;
  /** RFC 6381 `codecs` value for EXT-X-STREAM-INF and MediaSource.isTypeSupported. */
  codec: string;
  /** Presentation size in pixels (0 for audio). */
  width: number;
  height: number;
  entry: SampleEntry;
};

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** H.264 from its AVCDecoderConfigurationRecord (FLV AVC sequence header body). */
export function avcTrack(record: Uint8Array, id = 1): Mp4Track {
  const c = parseAvcConfig(record);
  // avc1.PPCCLL: profile_idc, constraint flags, level_idc as the SPS has them (RFC 6381 3.3).
  const codec = `avc1.${hex2(c.profile)}${hex2(c.compatibility)}${hex2(c.level)}`;
  const entry: SampleEntry = { format: 'avc1', width: c.width, height: c.height, config: Uint8Array.from(record) };
  return { id, kind: 'video', timescale: VIDEO_TIMESCALE, codec, width: c.width, height: c.height, entry };
}

function reverseBits32(v: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) out = (out << 1) | ((v >>> i) & 1);
  return out >>> 0;
}

/** hvc1.<space><profile>.<compat, bit-reversed hex>.<tier><level>[.<constraint bytes>] (14496-15 E.3). */
function hevcCodecString(r: Uint8Array): string {
  const space = ['', 'A', 'B', 'C'][r[1]! >>> 6]!;
  const tier = r[1]! & 0x20 ? 'H' : 'L';
  const compat = ((r[2]! << 24) | (r[3]! << 16) | (r[4]! << 8) | r[5]!) >>> 0;
  const constraints = Array.from(r.subarray(6, 12));
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const tail = constraints.map((b) => `.${b.toString(16).toUpperCase()}`).join('');
  return `hvc1.${space}${r[1]! & 0x1f}.${reverseBits32(compat).toString(16).toUpperCase()}.${tier}${r[12]!}${tail}`;
}

/** H.265 from its HEVCDecoderConfigurationRecord. */
export function hevcTrack(record: Uint8Array, id = 1): Mp4Track {
  const c = parseHevcConfig(record);
  const entry: SampleEntry = { format: 'hvc1', width: c.width, height: c.height, config: Uint8Array.from(record) };
  return { id, kind: 'video', timescale: VIDEO_TIMESCALE, codec: hevcCodecString(record), width: c.width, height: c.height, entry };
}

/** AAC from its AudioSpecificConfig (FLV AAC sequence header body). */
export function aacTrack(asc: Uint8Array, id = 2): Mp4Track {
  const c = parseAacConfig(asc);
  // HE-AAC's SBR doubles the output rate: the timescale follows what the decoder outputs.
  const rate = c.outputSampleRate;
  const entry: SampleEntry = {
    format: 'mp4a',
    channelCount: c.channels === 0 ? 2 : c.channels,
    sampleRate: rate,
    // ES_ID 0 as stored in a file (14496-14 3.1.2); bitrates unknown for a live stream.
    esds: { esId: 0, objectTypeIndication: OTI_MPEG4_AUDIO, bufferSizeDB: 0, maxBitrate: 0, avgBitrate: 0, decoderSpecificInfo: Uint8Array.from(asc) },
  };
  return { id, kind: 'audio', timescale: rate, codec: `mp4a.40.${c.objectType}`, width: 0, height: 0, entry };
}

/** Opus from its OpusHead packet (enhanced RTMP sequence start). */
export function opusTrack(opusHead: Uint8Array, id = 2): Mp4Track {
  const dops = dopsFromOpusHead(opusHead);
  const entry: SampleEntry = { format: 'Opus', channelCount: dops.outputChannelCount, sampleRate: OPUS_TIMESCALE, dops };
  return { id, kind: 'audio', timescale: OPUS_TIMESCALE, codec: 'opus', width: 0, height: 0, entry };
}
