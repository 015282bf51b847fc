import { SluiceError } from '../../errors.ts';
import { BitReader, unescapeRbsp } from './bit-reader.ts';

export interface HevcSps {
  profileSpace: number;
  tier: number;
  profileIdc: number;
  levelIdc: number;
  chromaFormatIdc: number;
  width: number;
  height: number;
}

const MAX_LUMA_SIDE = 65536;

/**
 * Parses an H.265 sequence parameter set NAL unit (2-byte header included) far enough
 * for profile_tier_level and the conformance-window-cropped picture size.
 * Hostile input throws only SluiceError('CODEC_DECODE').
 */
export function parseHevcSps(nal: Uint8Array): HevcSps {
  if (nal.length < 4) throw new SluiceError('CODEC_DECODE', 'SPS too short');
  const type = (nal[0]! >>> 1) & 0x3f;
  if (type !== 33) throw new SluiceError('CODEC_DECODE', `not an SPS (NAL type ${type})`);
  const r = new BitReader(unescapeRbsp(nal), 2);
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  if (maxSubLayersMinus1 > 6) throw new SluiceError('CODEC_DECODE', 'sps_max_sub_layers_minus1 > 6');
  r.skip(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, maxSubLayersMinus1), H.265 7.3.3
  const profileSpace = r.bits(2);
  const tier = r.bit();
  const profileIdc = r.bits(5);
  r.skip(32); // general_profile_compatibility_flags
  r.skip(48); // progressive/interlaced/non-packed/frame-only + 43 reserved bits + 1
  const levelIdc = r.bits(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  r.ueMax(15, 'sps_seq_parameter_set_id');
  const chromaFormatIdc = r.ueMax(3, 'chroma_format_idc');
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const lumaWidth = r.ueMax(MAX_LUMA_SIDE, 'pic_width_in_luma_samples');
  const lumaHeight = r.ueMax(MAX_LUMA_SIDE, 'pic_height_in_luma_samples');
  let width = lumaWidth;
  let height = lumaHeight;
  if (r.flag()) {
    // Conformance window offsets are in chroma units (H.265 Table 6-1).
    const chroma = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chroma === 1 || chroma === 2 ? 2 : 1;
    const subHeightC = chroma === 1 ? 2 : 1;
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  if (width <= 0 || height <= 0) throw new SluiceError('CODEC_DECODE', 'SPS picture size invalid');
  return { profileSpace, tier, profileIdc, levelIdc, chromaFormatIdc, width, height };
}
