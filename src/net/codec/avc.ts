import { SluiceError } from '../../errors.ts';
import { copyBytes } from './copy-bytes.ts';
import { parseAvcSps } from './avc-sps.ts';

export interface AvcConfig {
  /** profile_idc (66, 77, 100, ...). */
  profile: number;
  /** As ffprobe names it: 'Constrained Baseline', 'Main', 'High', 'High 10', ... */
  profileName: string;
  /** profile_compatibility byte (constraint_set flags). */
  compatibility: number;
  /** level_idc (31 for 3.1). */
  level: number;
  /** As SRS names it: '3.1', and '3' for level_idc 30; '1b' where signalled. */
  levelName: string;
  width: number;
  height: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** Bytes in each NAL length prefix of the coded frames (1, 2 or 4). */
  nalLengthSize: number;
}

const CONSTRAINT_SET1 = 0x40;
const CONSTRAINT_SET3 = 0x10;
const CONSTRAINT_SET4 = 0x08;
const CONSTRAINT_SET5 = 0x04;

/** ffprobe's names, including the constrained variants told apart by the constraint flags. */
export function avcProfileName(profile: number, compatibility = 0): string {
  switch (profile) {
    case 66:
      return compatibility & CONSTRAINT_SET1 ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      return compatibility & CONSTRAINT_SET4 && compatibility & CONSTRAINT_SET5 ? 'Constrained High' : 'High';
    case 110:
      return compatibility & CONSTRAINT_SET3 ? 'High 10 Intra' : 'High 10';
    case 122:
      return compatibility & CONSTRAINT_SET3 ? 'High 4:2:2 Intra' : 'High 4:2:2';
    case 244:
      return compatibility & CONSTRAINT_SET3 ? 'High 4:4:4 Intra' : 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4';
    default:
      return 'Other';
  }
}

export function avcLevelName(level: number, profile = 0, compatibility = 0): string {
  // Level 1b: level_idc 9, or 11 with constraint_set3 in the Baseline/Main/Extended profiles.
  if (level === 9 || (level === 11 && compatibility & CONSTRAINT_SET3 && (profile === 66 || profile === 77 || profile === 88))) {
    return '1b';
  }
  const major = Math.floor(level / 10);
  const minor = level % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}

function readUnits(data: Uint8Array, pos: number, count: number, into: Uint8Array[]): number {
  for (let i = 0; i < count; i++) {
    if (data.length - pos < 2) throw new SluiceError('CODEC_DECODE', 'avcC parameter set truncated');
    const len = (data[pos]! << 8) | data[pos + 1]!;
    pos += 2;
    if (len === 0 || data.length - pos < len) throw new SluiceError('CODEC_DECODE', 'avcC parameter set truncated');
    into.push(copyBytes(data, pos, pos + len));
    pos += len;
  }
  return pos;
}

/**
 * Parses an AVCDecoderConfigurationRecord (the payload of an AVC sequence header) and
 * its first SPS. Malformed records throw SluiceError('CODEC_DECODE').
 */
export function parseAvcConfig(data: Uint8Array): AvcConfig {
  if (data.length < 7) throw new SluiceError('CODEC_DECODE', 'avcC too short');
  if (data[0] !== 1) throw new SluiceError('CODEC_DECODE', `avcC version ${data[0]}`);
  const nalLengthSize = (data[4]! & 0x03) + 1;
  if (nalLengthSize === 3) throw new SluiceError('CODEC_DECODE', 'avcC NAL length size 3');
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let pos = readUnits(data, 6, data[5]! & 0x1f, sps);
  if (pos < data.length) pos = readUnits(data, pos + 1, data[pos]!, pps);
  if (sps.length === 0) throw new SluiceError('CODEC_DECODE', 'avcC without SPS');
  const parsed = parseAvcSps(sps[0]!);
  // The SPS is authoritative; the record's copies of profile and level normally match it.
  const profile = parsed.profileIdc;
  const compatibility = parsed.constraintFlags;
  return {
    profile,
    profileName: avcProfileName(profile, compatibility),
    compatibility,
    level: parsed.levelIdc,
    levelName: avcLevelName(parsed.levelIdc, profile, compatibility),
    width: parsed.width,
    height: parsed.height,
    sps,
    pps,
    nalLengthSize,
  };
}
