// A live stream's media, stored once: each message is kept in RTMP wire form (chunked
// at the stream's out chunk size, message stream 1, a fmt 0 header with the absolute
// timestamp) in the stream's chain of pool blocks. RTMP players of every worker are
// served views of those bytes as they are; HTTP-FLV viewers, DVR, HLS and forwarders
// use the payload inside them (the chunk headers skipped) with FLV framing made per
// reader. So one copy of each payload serves every output.

import { ChainWriter, type ChainHandle, type ChainReader, type ChainRecord } from '../../runtime/index.ts';
import type { BlockPoolHandle } from '../../runtime/index.ts';
import {
  continuationHeaderLength, messageHeaderLength, writeContinuationHeader, writeMessageHeader,
} from '../../net/rtmp/chunk-writer.ts';
import { MSG_AUDIO, MSG_VIDEO } from './media-flags.ts';
import { tagLength, writeTagHeader, writePreviousTagSize, FLV_TAG_HEADER_SIZE } from '../../net/flv/flv-tag.ts';

export interface MediaChainHandle {
  readonly chain: ChainHandle;
  /** The out chunk size the messages were chunked with. */
  readonly chunkSize: number;
}

/** RTMP chunk stream ids as SRS uses them for media and stream data. */
export const CSID_VIDEO = 6;
export const CSID_AUDIO = 7;
export const CSID_STREAM = 5;
/** Every player's media rides message stream 1 (createStream always answers 1). */
export const PLAY_STREAM_ID = 1;
/** Reader slots per stream: a fan-out per worker and format, plus HLS, DVR, forwarders. */
export function chainReaderSlots(workers: number): number {
  return 2 * workers + 32;
}

export function csidFor(type: number): number {
  return type === MSG_VIDEO ? CSID_VIDEO : type === MSG_AUDIO ? CSID_AUDIO : CSID_STREAM;
}

export class MediaChainWriter {
  readonly handle: MediaChainHandle;
  readonly chain: ChainWriter;
  private readonly header = new Uint8Array(16);
  // the message between begin and commit: its chunk stream, time, where its payload
  // starts in the record, the distance between payload pieces, payload bytes put
  private openCsid = 0;
  private openTs = 0;
  private openFirst = 0;
  private openStride = 0;
  private payloadPut = 0;

  constructor(pool: BlockPoolHandle, chunkSize: number, workers: number) {
    this.chain = new ChainWriter(pool, chainReaderSlots(workers));
    this.handle = { chain: this.chain.handle, chunkSize };
  }

  /**
   * Stores payload[from, to) as one message; returns its seq. Throws PoolFullError
   * (nothing stored) when the pool cannot hold it.
   */
  write(type: number, flags: number, timestamp: number, payload: Uint8Array, from = 0, to = payload.length): number {
    this.begin(type, flags, timestamp, to - from);
    this.putPayload(payload, from, to);
    return this.commit();
  }

  /**
   * Starts a message of `length` payload bytes: the payload follows in putPayload calls of
   * any size, then commit. Its blocks are taken now, or with `grow` as the payload is put
   * (for a message still arriving: a peer costs the pool what it sent, not what it
   * declared; putPayload may then throw PoolFullError, and the caller aborts). Throws
   * PoolFullError (nothing begun) when the pool cannot hold what is taken now.
   */
  begin(type: number, flags: number, timestamp: number, length: number, grow = false): void {
    const chunkSize = this.handle.chunkSize;
    const csid = csidFor(type);
    const pieces = length > chunkSize ? Math.ceil(length / chunkSize) : 1;
    const header = messageHeaderLength(csid, timestamp);
    const total = header + length + (pieces - 1) * continuationHeaderLength(csid, timestamp);
    this.chain.begin(type, flags, timestamp, total, length, grow ? header : total);
    this.openCsid = csid;
    this.openTs = timestamp;
    this.openFirst = writeMessageHeader(this.header, 0, csid, type, PLAY_STREAM_ID, timestamp, length);
    this.openStride = chunkSize + continuationHeaderLength(csid, timestamp);
    this.chain.put(this.header, 0, this.openFirst);
    this.payloadPut = 0;
  }

  /** The next payload bytes of the message begun, with a chunk header at each out chunk boundary. */
  putPayload(src: Uint8Array, from: number, to: number): void {
    const chunkSize = this.handle.chunkSize;
    while (from < to) {
      const inChunk = this.payloadPut % chunkSize;
      if (inChunk === 0 && this.payloadPut > 0) {
        this.chain.put(this.header, 0, writeContinuationHeader(this.header, 0, this.openCsid, this.openTs));
      }
      const end = Math.min(to, from + chunkSize - inChunk);
      this.chain.put(src, from, end);
      this.payloadPut += end - from;
      from = end;
    }
  }

  commit(): number {
    return this.chain.commit();
  }

  /** Copies the first `filled` payload bytes put into the message begun into out[0..]. */
  readOpenPayload(out: Uint8Array, filled: number): void {
    const chunkSize = this.handle.chunkSize;
    for (let p = 0, skip = this.openFirst; p < filled; p += chunkSize, skip += this.openStride) {
      this.chain.readOpen(skip, Math.min(chunkSize, filled - p), out, p);
    }
  }

  /** Forgets the message begun (nothing of it is published). */
  abort(): void {
    this.chain.abort();
  }

  close(): void {
    this.chain.close();
  }
}

/**
 * Copies a stored message's payload (rec.aux bytes) into out[at..]; false when the
 * record was no longer retained by the end of the copy.
 */
export function copyPayload(reader: ChainReader, rec: ChainRecord, chunkSize: number, out: Uint8Array, at = 0): boolean {
  return copyPayloadOf(reader, rec.seq, rec.block, rec.offset, rec.type, rec.timestamp, rec.aux, chunkSize, out, at);
}

/** copyPayload for a record known by its index fields. */
export function copyPayloadOf(reader: ChainReader, seq: number, block: number, offset: number, type: number, timestamp: number, length: number, chunkSize: number, out: Uint8Array, at: number): boolean {
  const csid = csidFor(type);
  const stride = chunkSize + continuationHeaderLength(csid, timestamp);
  for (let p = 0, skip = messageHeaderLength(csid, timestamp); p < length; p += chunkSize, skip += stride) {
    if (!reader.copy(seq, block, offset, skip, Math.min(chunkSize, length - p), out, at + p)) return false;
  }
  return true;
}

/**
 * A reader's view of a stored message's payload, for consumers that parse it (HLS, DVR,
 * forward): copied into a scratch buffer reused from call to call, or null when the
 * record is gone. The returned bytes are valid until the next call.
 */
export class PayloadScratch {
  private buf = new Uint8Array(64 * 1024);

  read(reader: ChainReader, rec: ChainRecord, chunkSize: number): Uint8Array | null {
    this.fit(rec.aux);
    if (!copyPayload(reader, rec, chunkSize, this.buf)) return null;
    return this.buf.subarray(0, rec.aux);
  }

  /** The message as a whole FLV tag (header, payload, PreviousTagSize). */
  readTag(reader: ChainReader, rec: ChainRecord, chunkSize: number): Uint8Array | null {
    const size = rec.aux;
    this.fit(tagLength(size));
    if (!copyPayload(reader, rec, chunkSize, this.buf, FLV_TAG_HEADER_SIZE)) return null;
    writeTagHeader(this.buf, 0, rec.type, size, rec.timestamp);
    writePreviousTagSize(this.buf, FLV_TAG_HEADER_SIZE + size, FLV_TAG_HEADER_SIZE + size);
    return this.buf.subarray(0, tagLength(size));
  }

  private fit(n: number): void {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }
}

/** A reader of a stream's audio and video (the HLS muxers). */
export interface MediaHandler {
  onVideo(timestamp: number, body: Uint8Array): void;
  onAudio(timestamp: number, body: Uint8Array): void;
  /** The reader fell behind what the stream keeps and goes on from the latest keyframe. */
  onLap(): void;
}

/**
 * Hands every audio and video message the reader has now to `handler` (the bytes are
 * valid during the call); a reader that was lapped goes on from the latest keyframe.
 */
export function drainMedia(reader: ChainReader, scratch: PayloadScratch, chunkSize: number, handler: MediaHandler): void {
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (rec.type !== MSG_AUDIO && rec.type !== MSG_VIDEO) continue;
    const body = scratch.read(reader, rec, chunkSize);
    if (!body) break; // no longer in the chain: lapped
    if (rec.type === MSG_VIDEO) handler.onVideo(rec.timestamp, body);
    else handler.onAudio(rec.timestamp, body);
  }
  if (!reader.isLapped()) return;
  reader.skipToLatestSync();
  handler.onLap();
}

/** Views of a stored message's payload pieces (pinned into `pins`); false when gone. */
export function payloadViews(reader: ChainReader, seq: number, block: number, offset: number, type: number, timestamp: number, length: number, chunkSize: number, out: Buffer[], pins: number[]): boolean {
  const csid = csidFor(type);
  const first = messageHeaderLength(csid, timestamp);
  const stride = chunkSize + continuationHeaderLength(csid, timestamp);
  for (let p = 0, skip = first; p < length; p += chunkSize, skip += stride) {
    if (!reader.views(seq, block, offset, skip, Math.min(chunkSize, length - p), out, pins)) return false;
  }
  return true;
}
