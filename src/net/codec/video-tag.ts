import { readExHeader } from './modex.ts';
import { FOURCC_AVC1, FOURCC_HVC1, fourCCName, lookupFourCC } from './fourcc.ts';

export type VideoCodec = 'H264' | 'H265' | 'AV1' | 'VP9' | 'VP8' | 'VP6' | 'H263' | 'ScreenVideo' | 'other';

/** Legacy FLV codec ids. 12 for HEVC is not in Adobe's spec: Chinese CDNs use it. */
export const VIDEO_CODEC_H263 = 2;
export const VIDEO_CODEC_SCREEN = 3;
export const VIDEO_CODEC_VP6 = 4;
export const VIDEO_CODEC_VP6A = 5;
export const VIDEO_CODEC_SCREEN2 = 6;
export const VIDEO_CODEC_AVC = 7;
export const VIDEO_CODEC_HEVC = 12;

/** Packet types; legacy AVC/HEVC 0/1/2 coincide with enhanced 0/1/2. */
export const VIDEO_PACKET_SEQUENCE_START = 0;
export const VIDEO_PACKET_CODED_FRAMES = 1;
export const VIDEO_PACKET_SEQUENCE_END = 2;
export const VIDEO_PACKET_CODED_FRAMES_X = 3;
export const VIDEO_PACKET_METADATA = 4;
export const VIDEO_PACKET_MPEG2TS_SEQUENCE_START = 5;
export const VIDEO_PACKET_MULTITRACK = 6;

export const VIDEO_FRAME_KEY = 1;
export const VIDEO_FRAME_COMMAND = 5;

export interface VideoTagInfo {
  codec: VideoCodec;
  /** Legacy codec id (low nibble of byte 0); -1 for enhanced RTMP. */
  codecId: number;
  /** Enhanced RTMP FourCC ('hvc1'...); '' for legacy. */
  fourCC: string;
  enhanced: boolean;
  multitrack: boolean;
  frameType: number;
  /** AVC/HEVC packet type (legacy) or enhanced packet type after ModEx/multitrack; -1 if none. */
  packetType: number;
  /** A coded keyframe (frame type 1 carrying pictures; sequence headers do not count). */
  keyframe: boolean;
  /** Frame type 5: a command/info frame, not a picture. */
  command: boolean;
  /** Decoder configuration (SequenceStart, legacy packet type 0, or MPEG2TSSequenceStart). */
  sequenceHeader: boolean;
  endOfSequence: boolean;
  /** Signed composition time offset in ms (0 where the format has none). */
  compositionTime: number;
  /** Bytes before the codec payload (for multitrack: before the first track's payload). */
  headerLength: number;
  /** The data ended before headerLength: fields past the end are defaults. */
  truncated: boolean;
}

export function createVideoTagInfo(): VideoTagInfo {
  return {
    codec: 'other',
    codecId: -1,
    fourCC: '',
    enhanced: false,
    multitrack: false,
    frameType: 0,
    packetType: -1,
    keyframe: false,
    command: false,
    sequenceHeader: false,
    endOfSequence: false,
    compositionTime: 0,
    headerLength: 0,
    truncated: true,
  };
}

function legacyCodec(id: number): VideoCodec {
  switch (id) {
    case VIDEO_CODEC_AVC:
      return 'H264';
    case VIDEO_CODEC_HEVC:
      return 'H265';
    case VIDEO_CODEC_VP6:
    case VIDEO_CODEC_VP6A:
      return 'VP6';
    case VIDEO_CODEC_H263:
      return 'H263';
    case VIDEO_CODEC_SCREEN:
    case VIDEO_CODEC_SCREEN2:
      return 'ScreenVideo';
    default:
      return 'other';
  }
}

function si24(data: Uint8Array, at: number): number {
  if (data.length - at < 3) return 0;
  const v = (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

/**
 * Reads the header of an RTMP/FLV video payload. Never throws: unknown codecs come back
 * as 'other' (relayed untouched) and short data as `truncated` with what could be read.
 * Pass `out` to reuse one object per stream instead of allocating per packet.
 */
export function parseVideoTag(data: Uint8Array, out: VideoTagInfo = createVideoTagInfo()): VideoTagInfo {
  out.codec = 'other';
  out.codecId = -1;
  out.fourCC = '';
  out.enhanced = false;
  out.multitrack = false;
  out.frameType = 0;
  out.packetType = -1;
  out.keyframe = false;
  out.command = false;
  out.sequenceHeader = false;
  out.endOfSequence = false;
  out.compositionTime = 0;
  out.headerLength = 0;
  out.truncated = true;
  if (data.length === 0) return out;
  const b0 = data[0]!;
  if ((b0 & 0x80) === 0) {
    parseLegacy(data, b0, out);
  } else {
    parseEnhanced(data, b0, out);
  }
  out.command = out.frameType === VIDEO_FRAME_COMMAND;
  const pictures = out.packetType === VIDEO_PACKET_CODED_FRAMES || out.packetType === VIDEO_PACKET_CODED_FRAMES_X;
  // Legacy codecs other than AVC/HEVC have no packet type: every payload is a picture.
  const plain = !out.enhanced && out.headerLength === 1;
  out.keyframe = out.frameType === VIDEO_FRAME_KEY && (pictures || plain);
  out.sequenceHeader =
    out.packetType === VIDEO_PACKET_SEQUENCE_START ||
    (out.enhanced && out.packetType === VIDEO_PACKET_MPEG2TS_SEQUENCE_START);
  out.endOfSequence = out.packetType === VIDEO_PACKET_SEQUENCE_END;
  if (out.command) {
    out.keyframe = false;
    out.sequenceHeader = false;
    out.endOfSequence = false;
  }
  return out;
}

function parseLegacy(data: Uint8Array, b0: number, out: VideoTagInfo): void {
  out.frameType = (b0 >>> 4) & 0x0f;
  out.codecId = b0 & 0x0f;
  out.codec = legacyCodec(out.codecId);
  if (out.codec === 'H264' || out.codec === 'H265') {
    out.headerLength = 5;
    if (data.length >= 2) out.packetType = data[1]!;
    out.compositionTime = si24(data, 2);
  } else {
    out.headerLength = 1;
  }
  out.truncated = data.length < out.headerLength;
}

function parseEnhanced(data: Uint8Array, b0: number, out: VideoTagInfo): void {
  out.enhanced = true;
  out.frameType = (b0 >>> 4) & 0x07;
  const h = readExHeader(data, b0 & 0x0f, VIDEO_PACKET_MULTITRACK);
  if (!h) return;
  out.multitrack = h.multitrack;
  if (h.pos < 0) return;
  const known = lookupFourCC(h.fourCC);
  let pos = h.pos;
  out.packetType = h.packetType;
  out.fourCC = fourCCName(h.fourCC);
  out.codec = known?.kind === 'video' ? known.codec : 'other';
  if (h.packetType === VIDEO_PACKET_CODED_FRAMES && (h.fourCC === FOURCC_AVC1 || h.fourCC === FOURCC_HVC1)) {
    out.compositionTime = si24(data, pos);
    pos += 3;
  }
  out.headerLength = pos;
  out.truncated = data.length < pos;
}
