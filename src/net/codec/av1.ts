import { SluiceError } from '../../errors.ts';
import { BitReader } from './bit-reader.ts';

export interface Av1Config {
  /** seq_profile: 0 Main, 1 High, 2 Professional. */
  profile: number;
  profileName: string;
  /** seq_level_idx of operating point 0 (4 = level 3.0). */
  level: number;
  levelName: string;
  tier: number;
  /** Maximum frame size from the sequence header OBU; 0 when the record carries none. */
  width: number;
  height: number;
}

const OBU_SEQUENCE_HEADER = 1;

export function av1ProfileName(profile: number): string {
  return profile === 0 ? 'Main' : profile === 1 ? 'High' : profile === 2 ? 'Professional' : 'Other';
}

/** AV1 Annex A: seq_level_idx 4 -> '3.0', 31 -> 'max'. */
export function av1LevelName(idx: number): string {
  if (idx === 31) return 'max';
  return `${2 + (idx >>> 2)}.${idx & 3}`;
}

function readLeb128(data: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    if (pos >= data.length) throw new SluiceError('CODEC_DECODE', 'OBU size truncated');
    const b = data[pos++]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: pos };
  }
  throw new SluiceError('CODEC_DECODE', 'OBU size too long');
}

/** frame size from a sequence_header_obu payload (AV1 5.5.1). */
function parseSequenceHeader(obu: Uint8Array): { width: number; height: number } {
  const r = new BitReader(obu);
  r.skip(3); // seq_profile
  r.skip(1); // still_picture
  const reduced = r.flag();
  if (reduced) {
    r.skip(5); // seq_level_idx[0]
  } else {
    let decoderModelInfo = false;
    let bufferDelayLength = 0;
    if (r.flag()) {
      // timing_info
      r.skip(64);
      if (r.flag()) r.ue(); // num_ticks_per_picture_minus_1 (uvlc)
      decoderModelInfo = r.flag();
      if (decoderModelInfo) {
        bufferDelayLength = r.bits(5) + 1;
        r.skip(32 + 5 + 5);
      }
    }
    const initialDisplayDelay = r.flag();
    const points = r.bits(5) + 1;
    for (let i = 0; i < points; i++) {
      r.skip(12); // operating_point_idc
      const level = r.bits(5);
      if (level > 7) r.skip(1); // seq_tier
      if (decoderModelInfo && r.flag()) r.skip(2 * bufferDelayLength + 1);
      if (initialDisplayDelay && r.flag()) r.skip(4);
    }
  }
  const widthBits = r.bits(4) + 1;
  const heightBits = r.bits(4) + 1;
  return { width: r.bits(widthBits) + 1, height: r.bits(heightBits) + 1 };
}

/**
 * Parses an AV1CodecConfigurationRecord (av1C) and the sequence header OBU it normally
 * carries. Malformed records throw SluiceError('CODEC_DECODE').
 */
export function parseAv1Config(data: Uint8Array): Av1Config {
  if (data.length < 4) throw new SluiceError('CODEC_DECODE', 'av1C too short');
  if (data[0] !== 0x81) throw new SluiceError('CODEC_DECODE', 'av1C marker/version');
  const profile = data[1]! >>> 5;
  const level = data[1]! & 0x1f;
  const tier = data[2]! >>> 7;
  let width = 0;
  let height = 0;
  let pos = 4;
  while (pos < data.length) {
    const header = data[pos]!;
    const type = (header >>> 3) & 0x0f;
    pos += (header & 0x04) !== 0 ? 2 : 1;
    let end = data.length;
    if ((header & 0x02) !== 0) {
      const size = readLeb128(data, pos);
      pos = size.next;
      end = pos + size.value;
      if (end > data.length) throw new SluiceError('CODEC_DECODE', 'OBU overruns av1C');
    }
    if (type === OBU_SEQUENCE_HEADER) {
      ({ width, height } = parseSequenceHeader(data.subarray(pos, end)));
      break;
    }
    pos = end;
  }
  return { profile, profileName: av1ProfileName(profile), level, levelName: av1LevelName(level), tier, width, height };
}
