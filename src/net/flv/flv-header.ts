import { SluiceError } from '../../errors.ts';

export interface FlvHeader {
  version: number;
  audio: boolean;
  video: boolean;
  /** Offset of the first PreviousTagSize field; 9 in every file seen in practice. */
  dataOffset: number;
}

export const FLV_HEADER_SIZE = 9;
/** The header plus PreviousTagSize0: what a player receives before the first tag. */
export const FLV_FILE_HEADER_SIZE = 13;
/** Data offsets beyond this are refused: nothing legitimate puts much between header and tags. */
export const FLV_MAX_DATA_OFFSET = 65536;

const FLAG_AUDIO = 0x04;
const FLAG_VIDEO = 0x01;

/** 'FLV', version 1, flags, data offset 9, then PreviousTagSize0 = 0: 13 bytes. */
export function encodeFlvHeader(opts: { audio: boolean; video: boolean }): Uint8Array {
  const out = new Uint8Array(FLV_FILE_HEADER_SIZE);
  out[0] = 0x46;
  out[1] = 0x4c;
  out[2] = 0x56;
  out[3] = 1;
  out[4] = (opts.audio ? FLAG_AUDIO : 0) | (opts.video ? FLAG_VIDEO : 0);
  out[8] = FLV_HEADER_SIZE;
  return out;
}

/** Decodes the 9-byte header at offset; throws SluiceError('FLV_DECODE') when it is not one. */
export function decodeFlvHeader(bytes: Uint8Array, offset = 0): FlvHeader {
  if (bytes.length - offset < FLV_HEADER_SIZE) throw new SluiceError('FLV_DECODE', 'header truncated');
  if (bytes[offset] !== 0x46 || bytes[offset + 1] !== 0x4c || bytes[offset + 2] !== 0x56) {
    throw new SluiceError('FLV_DECODE', 'bad signature');
  }
  const flags = bytes[offset + 4]!;
  const dataOffset =
    ((bytes[offset + 5]! << 24) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 8) | bytes[offset + 8]!) >>> 0;
  if (dataOffset < FLV_HEADER_SIZE || dataOffset > FLV_MAX_DATA_OFFSET) {
    throw new SluiceError('FLV_DECODE', `bad data offset ${dataOffset}`);
  }
  return {
    version: bytes[offset + 3]!,
    audio: (flags & FLAG_AUDIO) !== 0,
    video: (flags & FLAG_VIDEO) !== 0,
    dataOffset,
  };
}
