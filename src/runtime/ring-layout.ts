// Shared memory layout of the ring, the cloneable handle, and createRing.
//
// Two SharedArrayBuffers travel together in one handle:
//   meta: Int32 words: [control (16)] [reader slots (16 words = 64 bytes each, one cache
//         line per reader so cursor stores do not bounce the writer's line)] [index]
//   data: record payloads back to back; a payload never wraps (the writer skips the tail
//         of the region and starts again at 0, recording the skip in the index).
// Sequence numbers are int32 from 1. Reaching 2^31 records in one ring is out of scope
// (about a year at 70 records/s): comparisons are plain number comparisons.

import { SluiceError } from './errors.ts';

/** A reader may start here (a keyframe, for media). */
export const RING_FLAG_SYNC = 1;
/** Only for readers joining at the following sync point (a repeated header, for media). */
export const RING_FLAG_JOIN_ONLY = 2;

// control words
export const C_COMMITTED = 0; // last committed seq: the publication point, stored last
export const C_WRITE_POS = 1; // data offset where the next record would start
export const C_LATEST_SYNC = 2; // seq of the latest committed sync-point record, 0 = none
export const C_CLOSED = 3; // 1 once the writer closed (EOF)
export const C_GENERATION = 4; // lap count: +1 each time the writer restarts at offset 0
export const C_WAITERS = 5; // readers currently inside waitAsync
export const C_LATEST_TS = 6; // timestamp of the last committed record (uint32 bits)
export const C_TAIL = 7; // oldest seq whose slot and bytes are intact
export const C_SIGNAL = 8; // wake word: bumped on commit (only when waiters > 0) and close
export const C_EPOCH = 9; // bumped when a reader claims a slot or clears its lapped flag
export const C_LAP_END = 10; // where the previous lap's data ended (the skip start)
export const CONTROL_WORDS = 16;

// reader slot words (relative to the slot base)
export const R_STATE = 0; // 0 free, 2 being claimed, 1 in use
export const R_CURSOR = 1; // oldest seq the reader still needs
export const R_LAPPED = 2; // set by the writer when it evicted a record the reader needed
export const R_FENCE = 3; // private word for read-modify-write fences
export const READER_WORDS = 16;

// index slot words (relative to the slot base)
export const H_SEQ = 0;
export const H_TS = 1;
export const H_TYPE_FLAGS = 2; // type | flags << 8
export const H_LENGTH = 3;
export const H_OFFSET = 4;
export const H_LAP = 5; // generation the payload was placed in
export const H_GAP = 6; // bytes skipped at the end of the region just before this record
export const HEADER_WORDS = 8;

export const READER_STATE_FREE = 0;
export const READER_STATE_IN_USE = 1;
export const READER_STATE_CLAIMING = 2;

/** Plain, structured-cloneable description of a ring: post it to any thread. */
export interface RingHandle {
  readonly meta: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly dataBytes: number;
  readonly indexSlots: number;
  readonly maxReaders: number;
}

export interface RingOptions {
  /** Size of the payload region in bytes (records up to dataBytes / 4). */
  dataBytes: number;
  /** Number of record headers kept: the most records the ring can hold. */
  indexSlots: number;
  /** Reader slots (readers attached at once, across all threads). */
  maxReaders: number;
}

export const MAX_DATA_BYTES = 1 << 30;

export function createRing(options: RingOptions): RingHandle {
  const { dataBytes, indexSlots, maxReaders } = options;
  if (!Number.isInteger(dataBytes) || dataBytes < 64 || dataBytes > MAX_DATA_BYTES) {
    throw new SluiceError('RING_OPTIONS', `dataBytes ${dataBytes} not in 64..${MAX_DATA_BYTES}`);
  }
  if (!Number.isInteger(indexSlots) || indexSlots < 2 || indexSlots > 1 << 24) {
    throw new SluiceError('RING_OPTIONS', `indexSlots ${indexSlots} not in 2..${1 << 24}`);
  }
  if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > 4096) {
    throw new SluiceError('RING_OPTIONS', `maxReaders ${maxReaders} not in 1..4096`);
  }
  const words = CONTROL_WORDS + maxReaders * READER_WORDS + indexSlots * HEADER_WORDS;
  const meta = new SharedArrayBuffer(words * 4);
  const m = new Int32Array(meta);
  m[C_TAIL] = 1;
  return { meta, data: new SharedArrayBuffer(dataBytes), dataBytes, indexSlots, maxReaders };
}

export function indexBase(handle: RingHandle): number {
  return CONTROL_WORDS + handle.maxReaders * READER_WORDS;
}

export function readerBase(slot: number): number {
  return CONTROL_WORDS + slot * READER_WORDS;
}

export function maxRecordBytes(handle: RingHandle): number {
  return Math.floor(handle.dataBytes / 4);
}

export function checkHandle(handle: RingHandle): void {
  const ok =
    handle !== null &&
    typeof handle === 'object' &&
    handle.meta instanceof SharedArrayBuffer &&
    handle.data instanceof SharedArrayBuffer &&
    handle.data.byteLength === handle.dataBytes &&
    handle.meta.byteLength ===
      (CONTROL_WORDS + handle.maxReaders * READER_WORDS + handle.indexSlots * HEADER_WORDS) * 4;
  if (!ok) throw new SluiceError('RING_OPTIONS', 'not a ring handle');
}
