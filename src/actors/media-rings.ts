// The two rings of a live stream: one holding each message already in RTMP wire form
// (chunked once at the stream's out chunk size, message stream 1, fmt 0 headers with
// absolute timestamps) so every RTMP player of every worker is served views of the same
// bytes; one holding FLV tags for HTTP-FLV viewers, DVR and the HLS muxer. Both rings
// get the same records in the same order, so a sequence number means the same message.

import { createRing, RingWriter, type RingHandle } from '../runtime/ring.ts';
import { chunkedLength, writeChunked } from '../net/rtmp/chunk-writer.ts';
import { tagLength, writeTagHeader, writePreviousTagSize, FLV_TAG_HEADER_SIZE } from '../net/flv/flv-tag.ts';
import { MSG_AUDIO, MSG_VIDEO } from './media-flags.ts';

export interface MediaRingHandles {
  readonly rtmp: RingHandle;
  readonly flv: RingHandle;
  /** The out chunk size the RTMP ring was chunked with. */
  readonly chunkSize: number;
}

/** RTMP chunk stream ids as SRS uses them for media and stream data. */
export const CSID_VIDEO = 6;
export const CSID_AUDIO = 7;
export const CSID_STREAM = 5;
/** Every player's media rides message stream 1 (createStream always answers 1). */
export const PLAY_STREAM_ID = 1;

// Sized so that queue_length (10 s by default) of a stream of several Mbit/s fits with
// room for bytes still in flight; the index holds far more records than that window.
export const RING_DATA_BYTES = 8 * 1024 * 1024;
export const RING_INDEX_SLOTS = 32768;
export const RING_MAX_READERS = 64;

export function csidFor(type: number): number {
  return type === MSG_VIDEO ? CSID_VIDEO : type === MSG_AUDIO ? CSID_AUDIO : CSID_STREAM;
}

export class MediaRingWriter {
  readonly handles: MediaRingHandles;
  private readonly rtmp: RingWriter;
  private readonly flv: RingWriter;

  constructor(chunkSize: number, dataBytes = RING_DATA_BYTES) {
    const opts = { dataBytes, indexSlots: RING_INDEX_SLOTS, maxReaders: RING_MAX_READERS };
    this.handles = { rtmp: createRing(opts), flv: createRing(opts), chunkSize };
    this.rtmp = new RingWriter(this.handles.rtmp);
    this.flv = new RingWriter(this.handles.flv);
  }

  /** One copy of the payload into each ring; returns the record's sequence number. */
  write(type: number, flags: number, timestamp: number, payload: Uint8Array): number {
    const chunkSize = this.handles.chunkSize;
    const csid = csidFor(type);
    const msg = { csid, type, streamId: PLAY_STREAM_ID, timestamp, payload };
    const rtmpBytes = this.rtmp.beginRecord(type, flags, timestamp, chunkedLength(payload.length, timestamp, csid, chunkSize));
    writeChunked(rtmpBytes, 0, msg, chunkSize);
    const seq = this.rtmp.commit();

    const size = payload.length;
    const flvBytes = this.flv.beginRecord(type, flags, timestamp, tagLength(size));
    writeTagHeader(flvBytes, 0, type, size, timestamp);
    flvBytes.set(payload, FLV_TAG_HEADER_SIZE);
    writePreviousTagSize(flvBytes, FLV_TAG_HEADER_SIZE + size, FLV_TAG_HEADER_SIZE + size);
    this.flv.commit();
    return seq;
  }

  close(): void {
    this.rtmp.close();
    this.flv.close();
  }
}
