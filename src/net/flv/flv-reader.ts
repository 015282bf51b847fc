import { SluiceError } from '../../errors.ts';
import { decodeFlvHeader, FLV_HEADER_SIZE, type FlvHeader } from './flv-header.ts';
import { FLV_PREVIOUS_TAG_SIZE, FLV_TAG_HEADER_SIZE, type FlvTag } from './flv-tag.ts';

export interface FlvReaderOptions {
  /** Largest tag payload accepted; a bigger declared size is an error, not an allocation. */
  maxTagSize?: number;
  /** false for a bare tag stream (no 'FLV' header, no PreviousTagSize0). Default true. */
  expectHeader?: boolean;
}

export const FLV_DEFAULT_MAX_TAG_SIZE = 16 * 1024 * 1024;

const STATE_HEADER = 0;
const STATE_SKIP = 1;
const STATE_TAGS = 2;
const STATE_FAILED = 3;
const SHRINK_ABOVE = 1024 * 1024;
const SHRINK_BELOW = 65536;

/**
 * Push-style FLV demuxer: feed any slicing of the byte stream, get back the tags it
 * completes. Tag data is copied out, so callers may reuse their input buffers.
 * PreviousTagSize fields are skipped, not checked: writers get them wrong too often.
 */
export class FlvReader {
  private readonly maxTagSize: number;
  private state: number;
  private skipLeft = 0;
  private headerValue: FlvHeader | null = null;
  // Bytes of an incomplete header or tag carried to the next push.
  private pending: Uint8Array = new Uint8Array(0);
  private pendingLength = 0;

  constructor(options: FlvReaderOptions = {}) {
    this.maxTagSize = options.maxTagSize ?? FLV_DEFAULT_MAX_TAG_SIZE;
    this.state = options.expectHeader === false ? STATE_TAGS : STATE_HEADER;
  }

  get header(): FlvHeader | null {
    return this.headerValue;
  }

  /** Bytes held back waiting for the rest of a header or tag. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  push(bytes: Uint8Array): FlvTag[] {
    if (this.state === STATE_FAILED) throw new SluiceError('FLV_DECODE', 'reader already failed');
    const tags: FlvTag[] = [];
    try {
      if (this.pendingLength === 0) {
        const used = this.drain(bytes, 0, bytes.length, tags);
        this.keep(bytes, used, bytes.length);
      } else {
        this.append(bytes);
        const total = this.pendingLength;
        const used = this.drain(this.pending, 0, total, tags);
        this.pendingLength = 0;
        this.keep(this.pending, used, total);
      }
    } catch (err) {
      this.state = STATE_FAILED;
      this.pendingLength = 0;
      throw err;
    }
    return tags;
  }

  private append(bytes: Uint8Array): void {
    const need = this.pendingLength + bytes.length;
    if (need > this.pending.length) {
      const grown = new Uint8Array(Math.max(need, this.pending.length * 2, 4096));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(bytes, this.pendingLength);
    this.pendingLength = need;
  }

  private keep(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (src === this.pending && n < SHRINK_BELOW && this.pending.length > SHRINK_ABOVE) {
      // Do not hold on to the buffer of one huge tag for the life of the stream.
      this.pending = this.pending.slice(from, to);
    } else if (src === this.pending) {
      // from is 0 while a big tag trickles in: no copy, or byte-at-a-time input turns quadratic.
      if (from > 0) this.pending.copyWithin(0, from, to);
    } else if (n > 0) {
      if (this.pending.length < n) this.pending = new Uint8Array(Math.max(n, 4096));
      this.pending.set(src.subarray(from, to));
    }
    this.pendingLength = n;
  }

  /** Parses what it can of src[pos, end); returns the first byte not consumed. */
  private drain(src: Uint8Array, pos: number, end: number, tags: FlvTag[]): number {
    for (;;) {
      if (this.state === STATE_HEADER) {
        if (end - pos < FLV_HEADER_SIZE) return pos;
        this.headerValue = decodeFlvHeader(src, pos);
        this.skipLeft = this.headerValue.dataOffset - FLV_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE;
        pos += FLV_HEADER_SIZE;
        this.state = STATE_SKIP;
      } else if (this.state === STATE_SKIP) {
        const n = Math.min(this.skipLeft, end - pos);
        pos += n;
        this.skipLeft -= n;
        if (this.skipLeft > 0) return pos;
        this.state = STATE_TAGS;
      } else {
        if (end - pos < FLV_TAG_HEADER_SIZE) return pos;
        const size = (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!;
        if (size > this.maxTagSize) {
          throw new SluiceError('FLV_DECODE', `tag of ${size} bytes exceeds the ${this.maxTagSize}-byte limit`);
        }
        const total = FLV_TAG_HEADER_SIZE + size + FLV_PREVIOUS_TAG_SIZE;
        if (end - pos < total) return pos;
        const timestamp = ((src[pos + 4]! << 16) | (src[pos + 5]! << 8) | src[pos + 6]! | (src[pos + 7]! << 24)) >>> 0;
        tags.push({
          type: src[pos]! & 0x1f,
          timestamp,
          streamId: (src[pos + 8]! << 16) | (src[pos + 9]! << 8) | src[pos + 10]!,
          data: copyOut(src, pos + FLV_TAG_HEADER_SIZE, size),
        });
        pos += total;
      }
    }
  }
}

// Not src.slice(): on a Node Buffer that is a shared view, pinning the caller's chunk.
function copyOut(src: Uint8Array, start: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(src.subarray(start, start + size));
  return out;
}

export interface FlvFile {
  header: FlvHeader;
  tags: FlvTag[];
  /** Bytes at the end that did not make a whole tag (a cut-off recording). */
  trailingBytes: number;
}

/** Whole-file convenience over FlvReader; a missing or bad header is SluiceError('FLV_DECODE'). */
export function readFlvFile(bytes: Uint8Array, options: { maxTagSize?: number } = {}): FlvFile {
  const reader = new FlvReader({ maxTagSize: options.maxTagSize ?? FLV_DEFAULT_MAX_TAG_SIZE });
  const tags = reader.push(bytes);
  const header = reader.header;
  if (header === null) throw new SluiceError('FLV_DECODE', 'header truncated');
  return { header, tags, trailingBytes: reader.bufferedBytes };
}
