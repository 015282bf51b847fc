// Turns a message into chunks: one fmt 0 header, then fmt 3 continuations. Every
// message gets a full header so each encoded buffer stands alone and can be shared by
// all players of a stream. The extended timestamp is repeated on every continuation
// as the spec asks (gstreamer warns otherwise; Adobe readers expect it).
import { SluiceError } from '../../errors.ts';

export interface OutgoingMessage {
  csid: number;
  type: number;
  streamId: number;
  /** Milliseconds; taken modulo 2^32. */
  timestamp: number;
  payload: Uint8Array;
}

const EXTENDED = 0xffffff;
const MAX_CSID = 65599;
const MAX_LENGTH = 0xffffff;
const MAX_CHUNK_SIZE = 0x7fffffff;

/** 1, 2 or 3 bytes of basic header for this chunk stream id. */
export function basicHeaderLength(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

function checkArgs(csid: number, payloadLength: number, chunkSize: number): void {
  if (!Number.isInteger(csid) || csid < 2 || csid > MAX_CSID) {
    throw new SluiceError('RTMP_CHUNK', `chunk stream id ${csid} outside 2..65599`);
  }
  if (payloadLength > MAX_LENGTH) throw new SluiceError('RTMP_MESSAGE_SIZE', String(payloadLength));
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new SluiceError('RTMP_CHUNK_SIZE', String(chunkSize));
  }
}

/** Bytes writeChunked will write for such a message. */
export function chunkedLength(payloadLength: number, timestamp: number, csid: number, chunkSize: number): number {
  checkArgs(csid, payloadLength, chunkSize);
  const ext = timestamp >>> 0 >= EXTENDED ? 4 : 0;
  const continuations = payloadLength > chunkSize ? Math.ceil(payloadLength / chunkSize) - 1 : 0;
  return basicHeaderLength(csid) + 11 + ext + payloadLength + continuations * (basicHeaderLength(csid) + ext);
}

function writeBasicHeader(t: Uint8Array, o: number, fmt: number, csid: number): number {
  if (csid < 64) {
    t[o] = (fmt << 6) | csid;
    return o + 1;
  }
  if (csid < 320) {
    t[o] = fmt << 6;
    t[o + 1] = csid - 64;
    return o + 2;
  }
  t[o] = (fmt << 6) | 1;
  t[o + 1] = (csid - 64) & 0xff;
  t[o + 2] = (csid - 64) >> 8;
  return o + 3;
}

function writeU32(t: Uint8Array, o: number, v: number): void {
  t[o] = v >>> 24;
  t[o + 1] = v >>> 16;
  t[o + 2] = v >>> 8;
  t[o + 3] = v;
}

/**
 * Writes the chunked message into `target` at `offset` (e.g. straight into a ring);
 * returns the bytes written, which equal chunkedLength(...).
 */
export function writeChunked(target: Uint8Array, offset: number, msg: OutgoingMessage, chunkSize: number): number {
  const { csid, payload } = msg;
  const length = payload.length;
  const total = chunkedLength(length, msg.timestamp, csid, chunkSize);
  if (offset < 0 || offset + total > target.length) {
    throw new SluiceError('RTMP_CHUNK', `target too small: need ${total} bytes at ${offset}`);
  }
  const ts = msg.timestamp >>> 0;
  const ext = ts >= EXTENDED;
  let o = writeMessageHeader(target, offset, csid, msg.type, msg.streamId, ts, length);
  let p = 0;
  for (;;) {
    const n = Math.min(chunkSize, length - p);
    target.set(payload.subarray(p, p + n), o);
    o += n;
    p += n;
    if (p >= length) break;
    o = writeBasicHeader(target, o, 3, csid);
    if (ext) {
      writeU32(target, o, ts);
      o += 4;
    }
  }
  return o - offset;
}

/**
 * Writes a message's fmt 0 chunk header (basic header, message header, extended
 * timestamp when due) and returns the offset past it; the payload follows in pieces of
 * `chunkSize`, each after a continuationHeader.
 */
export function writeMessageHeader(target: Uint8Array, offset: number, csid: number, type: number, streamId: number, timestamp: number, length: number): number {
  checkArgs(csid, length, 1);
  const ts = timestamp >>> 0;
  const field = ts >= EXTENDED ? EXTENDED : ts;
  let o = writeBasicHeader(target, offset, 0, csid);
  target[o] = field >>> 16;
  target[o + 1] = field >>> 8;
  target[o + 2] = field;
  target[o + 3] = length >>> 16;
  target[o + 4] = length >>> 8;
  target[o + 5] = length;
  target[o + 6] = type;
  const sid = streamId >>> 0;
  target[o + 7] = sid;
  target[o + 8] = sid >>> 8;
  target[o + 9] = sid >>> 16;
  target[o + 10] = sid >>> 24;
  o += 11;
  if (ts >= EXTENDED) {
    writeU32(target, o, ts);
    o += 4;
  }
  return o;
}

/** Writes the fmt 3 header that goes before each payload piece after the first. */
export function writeContinuationHeader(target: Uint8Array, offset: number, csid: number, timestamp: number): number {
  let o = writeBasicHeader(target, offset, 3, csid);
  const ts = timestamp >>> 0;
  if (ts >= EXTENDED) {
    writeU32(target, o, ts);
    o += 4;
  }
  return o;
}

/** Bytes of the fmt 0 header and of each continuation header of such a message. */
export function messageHeaderLength(csid: number, timestamp: number): number {
  return basicHeaderLength(csid) + 11 + (timestamp >>> 0 >= EXTENDED ? 4 : 0);
}

export function continuationHeaderLength(csid: number, timestamp: number): number {
  return basicHeaderLength(csid) + (timestamp >>> 0 >= EXTENDED ? 4 : 0);
}

/** The chunked message in a new buffer. */
export function encodeChunked(msg: OutgoingMessage, chunkSize: number): Uint8Array {
  const out = new Uint8Array(chunkedLength(msg.payload.length, msg.timestamp, msg.csid, chunkSize));
  writeChunked(out, 0, msg, chunkSize);
  return out;
}

/** Holds the outgoing chunk size; send the Set Chunk Size message, then call setChunkSize. */
export class ChunkWriter {
  private size = 128;

  get chunkSize(): number {
    return this.size;
  }

  setChunkSize(n: number): void {
    checkArgs(2, 0, n);
    this.size = n;
  }

  encode(msg: OutgoingMessage): Uint8Array {
    return encodeChunked(msg, this.size);
  }

  encodedLength(msg: OutgoingMessage): number {
    return chunkedLength(msg.payload.length, msg.timestamp, msg.csid, this.size);
  }

  write(target: Uint8Array, offset: number, msg: OutgoingMessage): number {
    return writeChunked(target, offset, msg, this.size);
  }
}
