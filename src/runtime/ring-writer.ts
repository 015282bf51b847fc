// The single writer of a ring. It never blocks and never waits for a reader: before it
// overwrites a slot or bytes it evicts the oldest records (advancing the shared tail) and
// flags every reader whose published cursor still needed one of them as lapped.
//
// Publication order, which the readers rely on (seqlock style):
//   1. lapped flags, then the tail (Atomics.exchange: a full fence, so the later plain
//      stores to the slot and the bytes cannot be seen before it);
//   2. the slot's header words and the payload bytes (plain stores);
//   3. the committed seq (Atomics.store), then the latest sync seq;
//   4. a wake-up, only when some reader sleeps in waitAsync.

import { SluiceError } from './errors.ts';
import {
  C_CLOSED,
  C_COMMITTED,
  C_EPOCH,
  C_GENERATION,
  C_LAP_END,
  C_LATEST_SYNC,
  C_LATEST_TS,
  C_SIGNAL,
  C_TAIL,
  C_WAITERS,
  C_WRITE_POS,
  H_GAP,
  H_LAP,
  H_LENGTH,
  H_OFFSET,
  H_SEQ,
  H_TS,
  H_TYPE_FLAGS,
  HEADER_WORDS,
  R_CURSOR,
  R_LAPPED,
  R_STATE,
  READER_STATE_IN_USE,
  RING_FLAG_SYNC,
  checkHandle,
  indexBase,
  maxRecordBytes,
  readerBase,
} from './ring-layout.ts';
import type { RingHandle } from './ring-layout.ts';

export class RingWriter {
  /** The whole data region; reserve() returns an offset into it. */
  readonly bytes: Buffer;
  /** Readers flagged as lapped by this writer (a reader lapped twice counts twice). */
  lappedReaders = 0;
  /** Records evicted so far (their slot or bytes were reused). */
  evicted = 0;

  private readonly meta: Int32Array;
  private readonly dataBytes: number;
  private readonly slots: number;
  private readonly maxReaders: number;
  private readonly maxRecord: number;
  private readonly index: number;
  private seq: number; // last committed
  private pos: number; // next free data offset
  private tail: number; // oldest intact seq
  private lap: number;
  private closed = false;
  // a lower bound of the cursors of readers not yet lapped, valid while the epoch holds
  private minCursor = 0;
  private epoch = -1;
  // the record between beginRecord and commit
  private pendingSeq = 0;
  private pendingFlags = 0;
  private pendingTs = 0;

  constructor(handle: RingHandle) {
    checkHandle(handle);
    this.meta = new Int32Array(handle.meta);
    this.bytes = Buffer.from(handle.data, 0, handle.dataBytes);
    this.dataBytes = handle.dataBytes;
    this.slots = handle.indexSlots;
    this.maxReaders = handle.maxReaders;
    this.maxRecord = maxRecordBytes(handle);
    this.index = indexBase(handle);
    // resume from the shared state, so a writer can be re-created on another thread
    this.seq = Atomics.load(this.meta, C_COMMITTED);
    this.pos = Atomics.load(this.meta, C_WRITE_POS);
    this.tail = Atomics.load(this.meta, C_TAIL);
    this.lap = Atomics.load(this.meta, C_GENERATION);
    this.closed = Atomics.load(this.meta, C_CLOSED) !== 0;
  }

  /** Seq of the last committed record (0 before the first). */
  get committed(): number {
    return this.seq;
  }

  /** Oldest seq still intact in the ring. */
  get oldest(): number {
    return this.tail;
  }

  /** Copies the parts (one copy) into the ring as one record and commits it. */
  append(type: number, flags: number, timestamp: number, ...parts: Uint8Array[]): number {
    let length = 0;
    for (let i = 0; i < parts.length; i++) length += parts[i]!.byteLength;
    let at = this.reserve(type, flags, timestamp, length);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      this.bytes.set(part, at);
      at += part.byteLength;
    }
    return this.commit();
  }

  /**
   * Starts the next record and returns a writable view of its `length` payload bytes in
   * shared memory; fill it, then commit(). Readers see nothing until commit. A second
   * beginRecord/reserve without commit abandons the first.
   */
  beginRecord(type: number, flags: number, timestamp: number, length: number): Buffer {
    const offset = this.reserve(type, flags, timestamp, length);
    return this.bytes.subarray(offset, offset + length);
  }

  /** As beginRecord, but returns the payload's offset in `bytes` (no view allocated). */
  reserve(type: number, flags: number, timestamp: number, length: number): number {
    if (this.closed) throw new SluiceError('RING_CLOSED');
    if (!(length >= 0 && length <= this.maxRecord) || !Number.isInteger(length)) {
      throw new SluiceError('RING_RECORD_TOO_LARGE', `${length} > ${this.maxRecord} bytes`);
    }
    const seq = this.seq + 1;
    const from = this.pos;
    const wraps = from + length > this.dataBytes;
    const offset = wraps ? 0 : from;
    this.evict(seq, from, offset + length, wraps);
    const m = this.meta;
    if (wraps) {
      this.lap++;
      m[C_LAP_END] = from;
      Atomics.store(m, C_GENERATION, this.lap);
    }
    const h = this.index + (seq % this.slots) * HEADER_WORDS;
    m[h + H_TS] = timestamp | 0;
    m[h + H_TYPE_FLAGS] = (type & 0xff) | ((flags & 0xff) << 8);
    m[h + H_LENGTH] = length;
    m[h + H_OFFSET] = offset;
    m[h + H_LAP] = this.lap;
    m[h + H_GAP] = wraps ? this.dataBytes - from : 0;
    m[h + H_SEQ] = seq;
    this.pos = offset + length;
    this.pendingSeq = seq;
    this.pendingFlags = flags;
    this.pendingTs = timestamp | 0;
    return offset;
  }

  /** Publishes the record begun by beginRecord; returns its seq. */
  commit(): number {
    const seq = this.pendingSeq;
    if (seq === 0) throw new SluiceError('RING_STATE');
    const m = this.meta;
    this.pendingSeq = 0;
    this.seq = seq;
    m[C_WRITE_POS] = this.pos;
    m[C_LATEST_TS] = this.pendingTs;
    Atomics.store(m, C_COMMITTED, seq);
    if ((this.pendingFlags & RING_FLAG_SYNC) !== 0) Atomics.store(m, C_LATEST_SYNC, seq);
    // a load, not a syscall, when nobody sleeps
    if (Atomics.load(m, C_WAITERS) > 0) {
      Atomics.add(m, C_SIGNAL, 1);
      Atomics.notify(m, C_SIGNAL);
    }
    return seq;
  }

  /** Sets EOF and wakes every waiting reader. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pendingSeq = 0;
    Atomics.store(this.meta, C_CLOSED, 1);
    Atomics.add(this.meta, C_SIGNAL, 1);
    Atomics.notify(this.meta, C_SIGNAL);
  }

  // Evicts, oldest first, every record whose slot `seq` reuses or whose bytes intersect
  // the claimed region: [from, end) or, when wrapping, [from, dataBytes] and [0, end).
  // Records lie in circular order starting at the write position, so the victims are
  // always a prefix of the live records.
  private evict(seq: number, from: number, end: number, wraps: boolean): void {
    const m = this.meta;
    let tail = this.tail;
    while (tail < seq) {
      const h = this.index + (tail % this.slots) * HEADER_WORDS;
      if (seq - tail < this.slots) {
        const o = m[h + H_OFFSET]!;
        const len = m[h + H_LENGTH]!;
        let hit: boolean;
        if (wraps) {
          hit = len > 0 ? o + len > from || o < end : o >= from || o < end;
        } else {
          hit = len > 0 ? o < end && o + len > from : o >= from && o < end;
        }
        if (!hit) break;
      }
      tail++;
    }
    if (tail === this.tail) return;
    this.evicted += tail - this.tail;
    this.lapReaders(tail);
    Atomics.exchange(m, C_TAIL, tail);
    this.tail = tail;
  }

  // Flags readers whose cursor is below the new tail. Cursors only grow, so a cached
  // minimum stays a valid lower bound until a reader joins or is un-lapped (epoch bump).
  private lapReaders(newTail: number): void {
    const m = this.meta;
    const epoch = Atomics.load(m, C_EPOCH);
    if (epoch === this.epoch && newTail <= this.minCursor) return;
    this.epoch = epoch;
    let min = Number.MAX_SAFE_INTEGER;
    for (let r = 0; r < this.maxReaders; r++) {
      const b = readerBase(r);
      if (Atomics.load(m, b + R_STATE) !== READER_STATE_IN_USE) continue;
      if (Atomics.load(m, b + R_LAPPED) !== 0) continue;
      const cursor = Atomics.load(m, b + R_CURSOR);
      if (cursor < newTail) {
        Atomics.exchange(m, b + R_LAPPED, 1);
        this.lappedReaders++;
      } else if (cursor < min) {
        min = cursor;
      }
    }
    this.minCursor = min;
  }
}
