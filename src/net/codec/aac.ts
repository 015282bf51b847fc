import { SluiceError } from '../../errors.ts';
import { BitReader } from './bit-reader.ts';

export interface AacConfig {
  /** Audio object type as signalled first (5 for HE-AAC, 29 for HE-AACv2, 2 for LC). */
  objectType: number;
  /** 'LC', 'HE', 'HEv2', 'Main', 'SSR', 'LTP', ... ('Other' for the rest). */
  profileName: string;
  /** The core codec's object type: 2 for HE-AAC over LC, else objectType. */
  coreObjectType: number;
  /** Core sampling rate in Hz (what ADTS carries). */
  sampleRate: number;
  /** Index into AAC_SAMPLE_RATES, or 15 when the rate was given explicitly. */
  samplingIndex: number;
  /** Output rate after SBR (twice the core rate for HE-AAC); equals sampleRate otherwise. */
  outputSampleRate: number;
  /** channelConfiguration (0 = defined in the program config element). */
  channelConfig: number;
  /** Channel count: channelConfig mapped (7 -> 8 channels); HE-AACv2 (PS) outputs 2. */
  channels: number;
}

export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
const CHANNELS_BY_CONFIG: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8];
const AOT_SBR = 5;
const AOT_PS = 29;
const ADTS_HEADER_SIZE = 7;
const ADTS_MAX_FRAME = 0x1fff;

export function aacProfileName(objectType: number): string {
  switch (objectType) {
    case 1:
      return 'Main';
    case 2:
      return 'LC';
    case 3:
      return 'SSR';
    case 4:
      return 'LTP';
    case AOT_SBR:
      return 'HE';
    case AOT_PS:
      return 'HEv2';
    case 23:
      return 'LD';
    case 39:
      return 'ELD';
    default:
      return 'Other';
  }
}

function readObjectType(r: BitReader): number {
  const t = r.bits(5);
  return t === 31 ? 32 + r.bits(6) : t;
}

function readRate(r: BitReader): { index: number; rate: number } {
  const index = r.bits(4);
  if (index === 15) return { index, rate: r.bits(24) };
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new SluiceError('CODEC_DECODE', `reserved AAC sampling index ${index}`);
  return { index, rate };
}

/**
 * Parses an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), the payload of an AAC
 * sequence header, including the escaped object type and the explicit 24-bit rate.
 */
export function parseAacConfig(data: Uint8Array): AacConfig {
  const r = new BitReader(data);
  const objectType = readObjectType(r);
  if (objectType === 0) throw new SluiceError('CODEC_DECODE', 'AAC object type 0');
  const core = readRate(r);
  const channelConfig = r.bits(4);
  if (channelConfig > 7) throw new SluiceError('CODEC_DECODE', `reserved AAC channel configuration ${channelConfig}`);
  let coreObjectType = objectType;
  let outputSampleRate = core.rate;
  if (objectType === AOT_SBR || objectType === AOT_PS) {
    outputSampleRate = readRate(r).rate;
    coreObjectType = readObjectType(r);
  }
  if (core.rate === 0) throw new SluiceError('CODEC_DECODE', 'AAC sampling rate 0');
  let channels = CHANNELS_BY_CONFIG[channelConfig]!;
  if (objectType === AOT_PS && channels === 1) channels = 2;
  return {
    objectType,
    profileName: aacProfileName(objectType),
    coreObjectType,
    sampleRate: core.rate,
    samplingIndex: core.index,
    outputSampleRate,
    channelConfig,
    channels,
  };
}

/**
 * Writes a 7-byte ADTS header (MPEG-4, no CRC) for one raw AAC frame of rawLength bytes.
 * ADTS can only say object types 1-4, so HE-AAC goes out as its LC core (implicit SBR).
 */
export function writeAdtsHeader(target: Uint8Array, offset: number, config: AacConfig, rawLength: number): number {
  const frameLength = rawLength + ADTS_HEADER_SIZE;
  if (rawLength < 0 || frameLength > ADTS_MAX_FRAME) {
    throw new SluiceError('CODEC_ENCODE', `AAC frame of ${rawLength} bytes does not fit ADTS`);
  }
  const profile = config.coreObjectType >= 1 && config.coreObjectType <= 4 ? config.coreObjectType - 1 : 1;
  let index = config.samplingIndex;
  if (index === 15) index = AAC_SAMPLE_RATES.indexOf(config.sampleRate);
  if (index < 0 || index > 12) {
    throw new SluiceError('CODEC_ENCODE', `sampling rate ${config.sampleRate} has no ADTS index`);
  }
  const ch = config.channelConfig;
  target[offset] = 0xff;
  target[offset + 1] = 0xf1; // syncword end, MPEG-4, layer 0, protection_absent
  target[offset + 2] = (profile << 6) | (index << 2) | (ch >>> 2);
  target[offset + 3] = ((ch & 3) << 6) | (frameLength >>> 11);
  target[offset + 4] = (frameLength >>> 3) & 0xff;
  target[offset + 5] = ((frameLength & 7) << 5) | 0x1f; // buffer fullness 0x7FF (VBR)
  target[offset + 6] = 0xfc; // rest of fullness, one raw data block
  return offset + ADTS_HEADER_SIZE;
}
