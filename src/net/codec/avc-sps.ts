import { SluiceError } from '../../errors.ts';
import { BitReader, unescapeRbsp } from './bit-reader.ts';

export interface AvcSps {
  profileIdc: number;
  /** constraint_set0..5 flags as the raw byte. */
  constraintFlags: number;
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  frameMbsOnly: boolean;
  width: number;
  height: number;
}

// Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 7.3.2.1.1).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
// Far above any level's limit (level 6.2 allows 139264 macroblocks per frame).
const MAX_MBS_SIDE = 4096;

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) throw new SluiceError('CODEC_DECODE', 'scaling list delta out of range');
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

/**
 * Parses an H.264 sequence parameter set NAL unit (header byte included) far enough
 * for the picture size. Hostile input throws only SluiceError('CODEC_DECODE').
 */
export function parseAvcSps(nal: Uint8Array): AvcSps {
  if (nal.length < 4) throw new SluiceError('CODEC_DECODE', 'SPS too short');
  if ((nal[0]! & 0x1f) !== 7) throw new SluiceError('CODEC_DECODE', `not an SPS (NAL type ${nal[0]! & 0x1f})`);
  const r = new BitReader(unescapeRbsp(nal), 1);
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ueMax(31, 'seq_parameter_set_id');
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ueMax(3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = 8 + r.ueMax(6, 'bit_depth_luma_minus8');
    r.ueMax(6, 'bit_depth_chroma_minus8');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ueMax(12, 'log2_max_frame_num_minus4');
  const pocType = r.ueMax(2, 'pic_order_cnt_type');
  if (pocType === 0) {
    r.ueMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ueMax(255, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ueMax(32, 'max_num_ref_frames');
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ueMax(MAX_MBS_SIDE, 'pic_width_in_mbs_minus1') + 1;
  const heightMapUnits = r.ueMax(MAX_MBS_SIDE, 'pic_height_in_map_units_minus1') + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (r.flag()) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }
  // Crop units (H.264 7.4.2.1.1): chroma subsampling, doubled vertically for field coding.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * fieldFactor;
  const width = widthMbs * 16 - cropUnitX * (cropLeft + cropRight);
  const height = heightMapUnits * 16 * fieldFactor - cropUnitY * (cropTop + cropBottom);
  if (width <= 0 || height <= 0) throw new SluiceError('CODEC_DECODE', 'SPS cropping exceeds the picture');
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, frameMbsOnly, width, height };
}
