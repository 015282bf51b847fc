// Shared layout of a record chain: the records of one writer, stored in blocks of the
// process-wide pool and read by any number of readers in any thread.
//
// A chain is two lists of pool blocks linked through the pool's `next` words:
//   data:  the records' bytes back to back; a record may continue into the next block;
//   index: fixed entries of ENTRY_WORDS Int32 words, one per record, ENTRIES_PER_BLOCK
//          per block, in sequence order.
// and one small control buffer of its own (counters and the readers' slots).
//
// Lifetime: the writer holds one pool reference on every block it retains. It moves the
// tail (the oldest record still retained) before it lets go of a block, so a reader that
// finds the tail at or below a record after reading it (with a fence between) read
// intact bytes. Readers publish in their slot the oldest record they still need; the
// writer retains up to that record unless a bound forces it further, and then flags
// those readers as lapped. A socket write of a view pins the blocks it covers (one pool
// reference each), so bytes in flight are never reused, whatever the tail does.
// The chain's blocks go back to the pool when its last holder (the writer, or the last
// reader after the writer closed) lets go.

import { SluiceError } from './errors.ts';
import type { BlockPoolHandle } from './block-pool.ts';

/** A reader may start here (a keyframe, for media). */
export const CHAIN_FLAG_SYNC = 1;
/** Only for readers joining at the following sync point (a repeated header, for media). */
export const CHAIN_FLAG_JOIN_ONLY = 2;

// control words
export const C_COMMITTED = 0; // last committed seq (publication point, stored last)
export const C_TAIL = 1; // oldest seq still retained
export const C_LATEST_SYNC = 2; // seq of the latest sync record, 0 = none
export const C_CLOSED = 3;
export const C_LATEST_TS = 4;
export const C_FIRST_INDEX = 5; // oldest index block retained
export const C_FIRST_INDEX_SEQ = 6; // seq of that block's first entry
export const C_FIRST_DATA = 7; // oldest data block retained
export const C_HOLDERS = 8; // the writer (until it closes) + attached readers
export const C_EPOCH = 9; // bumped when a reader attaches or clears its lapped flag
export const C_BLOCKS = 10; // blocks the chain retains (data + index)
export const C_WRITER_THREAD = 11; // threadTag() of the writer's thread
export const CONTROL_WORDS = 16;

// reader slot words
export const R_STATE = 0; // 0 free, 1 in use
export const R_CURSOR = 1; // oldest seq the reader still needs
export const R_LAPPED = 2;
export const R_FENCE = 3;
export const R_HOLDS = 4; // 1 when the reader took a holder's share of the chain
export const R_THREAD = 5; // threadTag() of the reader's thread
export const READER_WORDS = 8;

// index entry words
export const E_SEQ = 0;
export const E_TS = 1;
export const E_TYPE_FLAGS = 2; // type | flags << 8
export const E_BLOCK = 3; // data block where the record starts
export const E_OFFSET = 4; // and its offset there
export const E_LENGTH = 5; // bytes of the record
export const E_AUX = 6; // the writer's own use (a payload length, for media)
export const ENTRY_WORDS = 8;

export interface ChainHandle {
  readonly control: SharedArrayBuffer;
  readonly pool: BlockPoolHandle;
  readonly maxReaders: number;
}

export function entriesPerBlock(blockSize: number): number {
  return blockSize / (ENTRY_WORDS * 4);
}

export function readerBase(slot: number): number {
  return CONTROL_WORDS + slot * READER_WORDS;
}

export function createChainControl(maxReaders: number): SharedArrayBuffer {
  if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > 4096) {
    throw new SluiceError('CHAIN_OPTIONS', `maxReaders ${maxReaders} not in 1..4096`);
  }
  return new SharedArrayBuffer((CONTROL_WORDS + maxReaders * READER_WORDS) * 4);
}
