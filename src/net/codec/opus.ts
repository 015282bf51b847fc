import { SluiceError } from '../../errors.ts';

export interface OpusHead {
  version: number;
  channels: number;
  preSkip: number;
  /** The encoder's input rate (informational: Opus always decodes at 48 kHz). */
  inputSampleRate: number;
  outputGain: number;
  channelMappingFamily: number;
}

/** Parses the 'OpusHead' identification header (RFC 7845 5.1), the Opus sequence start of enhanced RTMP. */
export function parseOpusHead(data: Uint8Array): OpusHead {
  if (data.length < 19) throw new SluiceError('CODEC_DECODE', 'OpusHead too short');
  const magic = 'OpusHead';
  for (let i = 0; i < 8; i++) {
    if (data[i] !== magic.charCodeAt(i)) throw new SluiceError('CODEC_DECODE', 'OpusHead magic');
  }
  const channels = data[9]!;
  if (channels === 0) throw new SluiceError('CODEC_DECODE', 'OpusHead with 0 channels');
  const gain = data[16]! | (data[17]! << 8);
  return {
    version: data[8]!,
    channels,
    preSkip: data[10]! | (data[11]! << 8),
    inputSampleRate: (data[12]! | (data[13]! << 8) | (data[14]! << 16) | (data[15]! << 24)) >>> 0,
    outputGain: gain & 0x8000 ? gain - 0x10000 : gain,
    channelMappingFamily: data[18]!,
  };
}
