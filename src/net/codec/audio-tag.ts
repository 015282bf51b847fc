import { readExHeader } from './modex.ts';
import { fourCCName, lookupFourCC } from './fourcc.ts';

export type AudioCodec =
  | 'AAC'
  | 'MP3'
  | 'Opus'
  | 'FLAC'
  | 'AC3'
  | 'EAC3'
  | 'Speex'
  | 'PCM'
  | 'ADPCM'
  | 'Nellymoser'
  | 'G711A'
  | 'G711U'
  | 'other';

/** FLV SoundFormat values. */
export const SOUND_FORMAT_PCM = 0;
export const SOUND_FORMAT_ADPCM = 1;
export const SOUND_FORMAT_MP3 = 2;
export const SOUND_FORMAT_PCM_LE = 3;
export const SOUND_FORMAT_G711A = 7;
export const SOUND_FORMAT_G711U = 8;
/** Enhanced RTMP: ExAudioTagHeader follows (packet type in the low nibble, then a FourCC). */
export const SOUND_FORMAT_EX_HEADER = 9;
export const SOUND_FORMAT_AAC = 10;
export const SOUND_FORMAT_SPEEX = 11;
/** Not Adobe's: SRS uses 13 for Opus when bridging WebRTC to RTMP. */
export const SOUND_FORMAT_OPUS_SRS = 13;
export const SOUND_FORMAT_MP3_8K = 14;

export const AUDIO_PACKET_SEQUENCE_START = 0;
export const AUDIO_PACKET_CODED_FRAMES = 1;
export const AUDIO_PACKET_SEQUENCE_END = 2;
export const AUDIO_PACKET_MULTICHANNEL_CONFIG = 4;
export const AUDIO_PACKET_MULTITRACK = 5;

/** Hz for the 2-bit SoundRate flag. */
export const FLV_SOUND_RATES: readonly number[] = [5512, 11025, 22050, 44100];

export interface AudioTagInfo {
  codec: AudioCodec;
  soundFormat: number;
  /** Enhanced RTMP FourCC ('Opus'...); '' for legacy. */
  fourCC: string;
  enhanced: boolean;
  multitrack: boolean;
  /** AAC packet type (legacy) or enhanced audio packet type; -1 if none. */
  packetType: number;
  sequenceHeader: boolean;
  endOfSequence: boolean;
  /** Bytes before the codec payload. */
  headerLength: number;
  /** Raw 2-bit rate flag (0..3) and its value in Hz; 0 in enhanced headers (no such field). */
  soundRate: number;
  soundRateHz: number;
  /** 0 = 8-bit, 1 = 16-bit samples. */
  soundSize: number;
  /** 0 = mono, 1 = stereo (what the publisher flagged). */
  soundType: number;
  truncated: boolean;
}

export function createAudioTagInfo(): AudioTagInfo {
  return {
    codec: 'other',
    soundFormat: -1,
    fourCC: '',
    enhanced: false,
    multitrack: false,
    packetType: -1,
    sequenceHeader: false,
    endOfSequence: false,
    headerLength: 0,
    soundRate: 0,
    soundRateHz: 0,
    soundSize: 0,
    soundType: 0,
    truncated: true,
  };
}

function legacyCodec(format: number): AudioCodec {
  switch (format) {
    case SOUND_FORMAT_AAC:
      return 'AAC';
    case SOUND_FORMAT_MP3:
    case SOUND_FORMAT_MP3_8K:
      return 'MP3';
    case SOUND_FORMAT_SPEEX:
      return 'Speex';
    case SOUND_FORMAT_OPUS_SRS:
      return 'Opus';
    case SOUND_FORMAT_PCM:
    case SOUND_FORMAT_PCM_LE:
      return 'PCM';
    case SOUND_FORMAT_ADPCM:
      return 'ADPCM';
    case 4:
    case 5:
    case 6:
      return 'Nellymoser';
    case SOUND_FORMAT_G711A:
      return 'G711A';
    case SOUND_FORMAT_G711U:
      return 'G711U';
    default:
      return 'other';
  }
}

/**
 * Reads the header of an RTMP/FLV audio payload. Never throws: unknown formats are
 * 'other', short data is `truncated`. Pass `out` to reuse one object per stream.
 */
export function parseAudioTag(data: Uint8Array, out: AudioTagInfo = createAudioTagInfo()): AudioTagInfo {
  out.codec = 'other';
  out.soundFormat = -1;
  out.fourCC = '';
  out.enhanced = false;
  out.multitrack = false;
  out.packetType = -1;
  out.sequenceHeader = false;
  out.endOfSequence = false;
  out.headerLength = 0;
  out.soundRate = 0;
  out.soundRateHz = 0;
  out.soundSize = 0;
  out.soundType = 0;
  out.truncated = true;
  if (data.length === 0) return out;
  const b0 = data[0]!;
  out.soundFormat = b0 >>> 4;
  if (out.soundFormat === SOUND_FORMAT_EX_HEADER) {
    parseEnhanced(data, b0, out);
  } else {
    out.soundRate = (b0 >>> 2) & 3;
    out.soundRateHz = FLV_SOUND_RATES[out.soundRate]!;
    out.soundSize = (b0 >>> 1) & 1;
    out.soundType = b0 & 1;
    out.codec = legacyCodec(out.soundFormat);
    if (out.codec === 'AAC') {
      out.headerLength = 2;
      if (data.length >= 2) out.packetType = data[1]!;
      out.sequenceHeader = out.packetType === 0;
    } else {
      out.headerLength = 1;
    }
    out.truncated = data.length < out.headerLength;
  }
  return out;
}

function parseEnhanced(data: Uint8Array, b0: number, out: AudioTagInfo): void {
  out.enhanced = true;
  const h = readExHeader(data, b0 & 0x0f, AUDIO_PACKET_MULTITRACK);
  if (!h) return;
  out.multitrack = h.multitrack;
  if (h.pos < 0) return;
  const known = lookupFourCC(h.fourCC);
  out.packetType = h.packetType;
  out.fourCC = fourCCName(h.fourCC);
  out.codec = known?.kind === 'audio' ? known.codec : 'other';
  out.sequenceHeader = h.packetType === AUDIO_PACKET_SEQUENCE_START;
  out.endOfSequence = h.packetType === AUDIO_PACKET_SEQUENCE_END;
  out.headerLength = h.pos;
  out.truncated = data.length < h.pos;
}
