import { SluiceError } from '../../errors.ts';
import { copyBytes } from './copy-bytes.ts';
import { parseHevcSps } from './hevc-sps.ts';

export interface HevcConfig {
  /** general_profile_idc (1 Main, 2 Main 10, ...). */
  profile: number;
  profileName: string;
  tier: number;
  /** general_level_idc (30 x level: 93 for 3.1). */
  level: number;
  levelName: string;
  width: number;
  height: number;
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
  nalLengthSize: number;
}

export const HEVC_NAL_VPS = 32;
export const HEVC_NAL_SPS = 33;
export const HEVC_NAL_PPS = 34;
const HVCC_FIXED_SIZE = 23;

export function hevcProfileName(profile: number): string {
  switch (profile) {
    case 1:
      return 'Main';
    case 2:
      return 'Main 10';
    case 3:
      return 'Main Still Picture';
    case 4:
      return 'Rext';
    default:
      return 'Other';
  }
}

/** 93 -> '3.1', 120 -> '4' (level_idc is 30 times the level number). */
export function hevcLevelName(level: number): string {
  const tenths = Math.round(level / 3);
  const major = Math.floor(tenths / 10);
  const minor = tenths % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}

/**
 * Parses an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3) and its first SPS.
 * Malformed records throw SluiceError('CODEC_DECODE').
 */
export function parseHevcConfig(data: Uint8Array): HevcConfig {
  if (data.length < HVCC_FIXED_SIZE) throw new SluiceError('CODEC_DECODE', 'hvcC too short');
  if (data[0] !== 1) throw new SluiceError('CODEC_DECODE', `hvcC version ${data[0]}`);
  const nalLengthSize = (data[21]! & 0x03) + 1;
  if (nalLengthSize === 3) throw new SluiceError('CODEC_DECODE', 'hvcC NAL length size 3');
  const vps: Uint8Array[] = [];
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  const arrays = data[22]!;
  let pos = HVCC_FIXED_SIZE;
  for (let a = 0; a < arrays; a++) {
    if (data.length - pos < 3) throw new SluiceError('CODEC_DECODE', 'hvcC array truncated');
    const type = data[pos]! & 0x3f;
    const count = (data[pos + 1]! << 8) | data[pos + 2]!;
    pos += 3;
    const into = type === HEVC_NAL_VPS ? vps : type === HEVC_NAL_SPS ? sps : type === HEVC_NAL_PPS ? pps : null;
    for (let i = 0; i < count; i++) {
      if (data.length - pos < 2) throw new SluiceError('CODEC_DECODE', 'hvcC NAL unit truncated');
      const len = (data[pos]! << 8) | data[pos + 1]!;
      pos += 2;
      if (data.length - pos < len) throw new SluiceError('CODEC_DECODE', 'hvcC NAL unit truncated');
      if (into !== null && len > 0) into.push(copyBytes(data, pos, pos + len));
      pos += len;
    }
  }
  if (sps.length === 0) throw new SluiceError('CODEC_DECODE', 'hvcC without SPS');
  const parsed = parseHevcSps(sps[0]!);
  return {
    profile: parsed.profileIdc,
    profileName: hevcProfileName(parsed.profileIdc),
    tier: parsed.tier,
    level: parsed.levelIdc,
    levelName: hevcLevelName(parsed.levelIdc),
    width: parsed.width,
    height: parsed.height,
    vps,
    sps,
    pps,
    nalLengthSize,
  };
}
