import { SluiceError } from '../../errors.ts';

export const FLV_TAG_HEADER_SIZE = 11;
export const FLV_PREVIOUS_TAG_SIZE = 4;
export const FLV_TAG_SCRIPT = 18;
/** The DataSize field is 24 bits. */
export const FLV_MAX_DATA_SIZE = 0xffffff;

export interface FlvTag {
  /** 8 audio, 9 video, 18 script data; the filter bit (0x20) is masked off. */
  type: number;
  /** Milliseconds, 32 bits: the 24-bit field with the extended byte on top. */
  timestamp: number;
  streamId: number;
  data: Uint8Array;
}

/** Bytes a tag of this payload size takes on the wire, PreviousTagSize included. */
export function tagLength(dataSize: number): number {
  return FLV_TAG_HEADER_SIZE + dataSize + FLV_PREVIOUS_TAG_SIZE;
}

/**
 * Writes an 11-byte tag header in place (so a tag can go straight into a ring) and
 * returns the offset just past it. The timestamp wraps at 2^32 like the wire field.
 */
export function writeTagHeader(
  target: Uint8Array,
  offset: number,
  type: number,
  dataSize: number,
  timestamp: number,
): number {
  if (dataSize < 0 || dataSize > FLV_MAX_DATA_SIZE || !Number.isInteger(dataSize)) {
    throw new SluiceError('FLV_ENCODE', `tag data size ${dataSize}`);
  }
  const ts = timestamp >>> 0;
  target[offset] = type & 0x1f;
  target[offset + 1] = dataSize >>> 16;
  target[offset + 2] = (dataSize >>> 8) & 0xff;
  target[offset + 3] = dataSize & 0xff;
  target[offset + 4] = (ts >>> 16) & 0xff;
  target[offset + 5] = (ts >>> 8) & 0xff;
  target[offset + 6] = ts & 0xff;
  target[offset + 7] = ts >>> 24;
  target[offset + 8] = 0;
  target[offset + 9] = 0;
  target[offset + 10] = 0;
  return offset + FLV_TAG_HEADER_SIZE;
}

/** Writes the 4-byte PreviousTagSize (header + data size) and returns the offset past it. */
export function writePreviousTagSize(target: Uint8Array, offset: number, size: number): number {
  target[offset] = size >>> 24;
  target[offset + 1] = (size >>> 16) & 0xff;
  target[offset + 2] = (size >>> 8) & 0xff;
  target[offset + 3] = size & 0xff;
  return offset + FLV_PREVIOUS_TAG_SIZE;
}

/** Header + data + PreviousTagSize as one new buffer. */
export function encodeTag(type: number, timestamp: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(tagLength(data.length));
  const at = writeTagHeader(out, 0, type, data.length, timestamp);
  out.set(data, at);
  writePreviousTagSize(out, at + data.length, FLV_TAG_HEADER_SIZE + data.length);
  return out;
}
