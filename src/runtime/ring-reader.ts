// One reader of a ring, in any thread. It owns a reader slot in the shared memory where
// it publishes its cursor: the oldest seq it still needs (for a socket owner: the oldest
// record any socket still has in flight). The writer never waits for it; it flags the
// reader as lapped when it evicts a record at or after that cursor.
//
// Join-only rule: a reader is "joining" from the moment it is positioned (construction,
// skipToLatestSync) until next() hands it its first sync-point record. A join-only record
// is handed out only while the reader is joining; once joined, next() skips it.
//
// A record is handed out only after its header was read and re-validated (slot still
// holds that seq, tail not past it). Bytes used later must be re-checked with
// isIntact(seq) (or !isLapped() when the cursor was held): a record whose bytes the
// writer may have reused is never reported valid.

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
  H_LAP,
  H_LENGTH,
  H_OFFSET,
  H_SEQ,
  H_TS,
  H_TYPE_FLAGS,
  HEADER_WORDS,
  R_CURSOR,
  R_FENCE,
  R_LAPPED,
  R_STATE,
  READER_STATE_CLAIMING,
  READER_STATE_FREE,
  READER_STATE_IN_USE,
  RING_FLAG_JOIN_ONLY,
  RING_FLAG_SYNC,
  checkHandle,
  indexBase,
  readerBase,
} from './ring-layout.ts';
import type { RingHandle } from './ring-layout.ts';

const MAX_TIMER_MS = 0x7fffffff;
function noop(): void {}

export type RingStart = 'latest-sync' | 'next' | 'oldest';
export type RingWaitResult = 'ok' | 'timed-out' | 'closed';

export interface RingReaderOptions {
  /** Where to start (default 'latest-sync'; falls back to 'oldest' with no sync in the ring). */
  startAt?: RingStart;
  /** Publish each record handed out by next() as the oldest still needed. Default false. */
  autoRelease?: boolean;
  /**
   * Hand out join-only records too, even once joined (default false). For a reader that
   * serves many consumers at different positions and applies the join rule per consumer.
   */
  includeJoinOnly?: boolean;
}

/** The one record object a reader reuses for every next(). */
export interface RingRecord {
  seq: number;
  timestamp: number;
  type: number;
  flags: number;
  /** Byte offset of the payload in the ring's data SharedArrayBuffer. */
  offset: number;
  length: number;
}

export class RingReader {
  /** The whole data region as one Buffer (for callers that slice it themselves). */
  readonly bytes: Buffer;
  /** Reader slot number in the shared memory. */
  readonly slot: number;
  /** Successful skipToLatestSync calls. */
  skips = 0;
  /** Join-only records passed over because the reader had already joined. */
  joinOnlySkipped = 0;

  private readonly meta: Int32Array;
  private readonly data: SharedArrayBuffer;
  private readonly slots: number;
  private readonly dataBytes: number;
  private readonly index: number;
  private readonly base: number;
  private readonly autoRelease: boolean;
  private readonly includeJoinOnly: boolean;
  private readonly rec: RingRecord = { seq: 0, timestamp: 0, type: 0, flags: 0, offset: 0, length: 0 };
  private cursor = 1; // next seq to read
  private released = 1; // published: oldest seq still needed
  private joined = false;
  private closed = false;

  constructor(handle: RingHandle, options: RingReaderOptions = {}) {
    checkHandle(handle);
    this.meta = new Int32Array(handle.meta);
    this.data = handle.data;
    this.bytes = Buffer.from(handle.data, 0, handle.dataBytes);
    this.slots = handle.indexSlots;
    this.dataBytes = handle.dataBytes;
    this.index = indexBase(handle);
    this.autoRelease = options.autoRelease === true;
    this.includeJoinOnly = options.includeJoinOnly === true;
    const m = this.meta;
    let slot = -1;
    for (let r = 0; r < handle.maxReaders; r++) {
      const st = readerBase(r) + R_STATE;
      if (Atomics.compareExchange(m, st, READER_STATE_FREE, READER_STATE_CLAIMING) === READER_STATE_FREE) {
        slot = r;
        break;
      }
    }
    if (slot < 0) throw new SluiceError('RING_READER_SLOTS', `${handle.maxReaders} readers attached`);
    this.slot = slot;
    this.base = readerBase(slot);
    const start = options.startAt ?? 'latest-sync';
    // the writer may evict the chosen start meanwhile: choose again until it holds
    do {
      this.position(start === 'latest-sync' ? this.syncStart() || Atomics.load(m, C_TAIL) : this.startSeq(start));
    } while (this.cursor < Atomics.load(m, C_TAIL));
    Atomics.store(m, this.base + R_STATE, READER_STATE_IN_USE);
    Atomics.add(m, C_EPOCH, 1);
  }

  /** Next seq next() will look at. */
  get cursorSeq(): number {
    return this.cursor;
  }

  /** The published cursor: oldest seq this reader still needs. */
  get releasedSeq(): number {
    return this.released;
  }

  /** Records committed past the cursor (join-only ones included). */
  available(): number {
    const n = Atomics.load(this.meta, C_COMMITTED) - this.cursor + 1;
    return n > 0 ? n : 0;
  }

  /**
   * The next record, or null when none is committed, or when the record at the cursor was
   * overwritten (then isLapped() is true). The returned object is reused by the next call.
   */
  next(): RingRecord | null {
    const m = this.meta;
    const committed = Atomics.load(m, C_COMMITTED);
    while (this.cursor <= committed) {
      const seq = this.cursor;
      const h = this.index + (seq % this.slots) * HEADER_WORDS;
      if (Atomics.load(m, h + H_SEQ) !== seq) return null;
      const ts = Atomics.load(m, h + H_TS);
      const tf = Atomics.load(m, h + H_TYPE_FLAGS);
      const length = Atomics.load(m, h + H_LENGTH);
      const offset = Atomics.load(m, h + H_OFFSET);
      if (Atomics.load(m, C_TAIL) > seq) return null;
      this.cursor = seq + 1;
      const flags = (tf >>> 8) & 0xff;
      if ((flags & RING_FLAG_JOIN_ONLY) !== 0 && this.joined && !this.includeJoinOnly) {
        this.joinOnlySkipped++;
        continue;
      }
      if ((flags & RING_FLAG_SYNC) !== 0) this.joined = true;
      const rec = this.rec;
      rec.seq = seq;
      rec.timestamp = ts >>> 0;
      rec.type = tf & 0xff;
      rec.flags = flags;
      rec.offset = offset;
      rec.length = length;
      if (this.autoRelease) this.publish(seq);
      return rec;
    }
    return null;
  }

  /** A Buffer view (no copy) of the record's payload in shared memory. */
  payload(rec: RingRecord): Buffer {
    return Buffer.from(this.data, rec.offset, rec.length);
  }

  /**
   * Views covering the payload bytes of records fromSeq..toSeqInclusive, back to back:
   * one view, or two when the data wrapped in between. Every record in the range is
   * included, join-only ones too (a caller that skipped some, seen as a seq gap from
   * next(), splits its runs there). Returns [] when the range is not (or no longer)
   * entirely in the ring.
   */
  span(fromSeq: number, toSeqInclusive: number): Buffer[] {
    const m = this.meta;
    if (toSeqInclusive < fromSeq || toSeqInclusive > Atomics.load(m, C_COMMITTED)) return [];
    if (toSeqInclusive - fromSeq >= this.slots) return [];
    const hf = this.index + (fromSeq % this.slots) * HEADER_WORDS;
    const ht = this.index + (toSeqInclusive % this.slots) * HEADER_WORDS;
    if (Atomics.load(m, hf + H_SEQ) !== fromSeq || Atomics.load(m, ht + H_SEQ) !== toSeqInclusive) return [];
    const fromOff = Atomics.load(m, hf + H_OFFSET);
    const fromLap = Atomics.load(m, hf + H_LAP);
    const toEnd = Atomics.load(m, ht + H_OFFSET) + Atomics.load(m, ht + H_LENGTH);
    const toLap = Atomics.load(m, ht + H_LAP);
    let views: Buffer[];
    if (fromLap === toLap) {
      views = [Buffer.from(this.data, fromOff, toEnd - fromOff)];
    } else {
      // with fromSeq intact the range crosses exactly the latest wrap
      if (Atomics.load(m, C_GENERATION) !== toLap || toLap - fromLap !== 1) return [];
      const lapEnd = Atomics.load(m, C_LAP_END);
      views = [];
      if (lapEnd > fromOff) views.push(Buffer.from(this.data, fromOff, lapEnd - fromOff));
      views.push(Buffer.from(this.data, 0, toEnd));
    }
    return this.isIntact(fromSeq) ? views : [];
  }

  /**
   * Publishes seq as the oldest record this reader still needs (everything before it is
   * released). Never moves backwards, never past the read cursor.
   */
  release(seq: number): void {
    this.publish(seq > this.cursor ? this.cursor : seq);
  }

  /** True while record seq is committed and its slot and bytes have not been reused. */
  isIntact(seq: number): boolean {
    // the read-modify-write orders the caller's earlier plain reads of the bytes before
    // the tail load (a bare load would not on weakly ordered CPUs)
    Atomics.add(this.meta, this.base + R_FENCE, 0);
    return seq >= Atomics.load(this.meta, C_TAIL) && seq <= Atomics.load(this.meta, C_COMMITTED);
  }

  /** True when the writer reused a record at or after the published cursor. */
  isLapped(): boolean {
    const m = this.meta;
    Atomics.add(m, this.base + R_FENCE, 0);
    return Atomics.load(m, this.base + R_LAPPED) !== 0 || this.released < Atomics.load(m, C_TAIL);
  }

  /**
   * Clears the lapped state once the caller dropped what it had in flight and released
   * past the evicted records; false when the published cursor is still below the tail.
   */
  clearLapped(): boolean {
    const m = this.meta;
    if (this.released < Atomics.load(m, C_TAIL)) return false;
    Atomics.store(m, this.base + R_LAPPED, 0);
    Atomics.add(m, C_EPOCH, 1);
    return this.released >= Atomics.load(m, C_TAIL);
  }

  /**
   * Moves the cursor (and the published cursor) to the latest sync point, starting with
   * the run of join-only records just before it, and clears the lapped flag. False (and
   * nothing changes) when no sync point is in the ring.
   */
  skipToLatestSync(): boolean {
    const m = this.meta;
    for (let attempt = 0; attempt < 4; attempt++) {
      const start = this.syncStart();
      if (start === 0) return false;
      this.position(start);
      Atomics.store(m, this.base + R_LAPPED, 0);
      Atomics.add(m, C_EPOCH, 1);
      if (start >= Atomics.load(m, C_TAIL)) {
        this.skips++;
        return true;
      }
    }
    return false;
  }

  /** Records from the published cursor to the newest one. */
  lagRecords(): number {
    const n = Atomics.load(this.meta, C_COMMITTED) - this.released + 1;
    return n > 0 ? n : 0;
  }

  /** Bytes from the published cursor's payload to the write position (dataBytes when lapped). */
  lagBytes(): number {
    const m = this.meta;
    const seq = this.released;
    if (seq > Atomics.load(m, C_COMMITTED)) return 0;
    const h = this.index + (seq % this.slots) * HEADER_WORDS;
    if (Atomics.load(m, h + H_SEQ) !== seq) return this.dataBytes;
    const off = Atomics.load(m, h + H_OFFSET);
    const lap = Atomics.load(m, h + H_LAP);
    const gen = Atomics.load(m, C_GENERATION);
    const pos = Atomics.load(m, C_WRITE_POS);
    const end = Atomics.load(m, C_LAP_END);
    if (!this.isIntact(seq)) return this.dataBytes;
    return lap === gen ? pos - off : end - off + pos;
  }

  /** Writer's latest timestamp minus the published cursor's (Infinity when lapped). */
  lagMs(): number {
    const m = this.meta;
    const seq = this.released;
    if (seq > Atomics.load(m, C_COMMITTED)) return 0;
    const h = this.index + (seq % this.slots) * HEADER_WORDS;
    if (Atomics.load(m, h + H_SEQ) !== seq) return Number.POSITIVE_INFINITY;
    const ts = Atomics.load(m, h + H_TS);
    const latest = Atomics.load(m, C_LATEST_TS);
    if (!this.isIntact(seq)) return Number.POSITIVE_INFINITY;
    const d = (latest - ts) | 0;
    return d > 0 ? d : 0;
  }

  isClosed(): boolean {
    return Atomics.load(this.meta, C_CLOSED) !== 0;
  }

  /**
   * Resolves 'ok' as soon as records are committed past the cursor (at once if some are),
   * 'closed' at EOF with nothing left, 'timed-out' after timeoutMs. Never blocks the thread.
   */
  async waitAsync(timeoutMs = Number.POSITIVE_INFINITY): Promise<RingWaitResult> {
    const m = this.meta;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.available() > 0) return 'ok';
      if (this.isClosed()) return 'closed';
      const left = deadline - performance.now();
      if (left <= 0) return 'timed-out';
      Atomics.add(m, C_WAITERS, 1);
      try {
        // the writer bumps the signal after its commit when it sees waiters > 0, so
        // checking again after taking the signal value cannot miss a wake-up
        const signal = Atomics.load(m, C_SIGNAL);
        if (this.available() > 0 || this.isClosed()) continue;
        const w = Atomics.waitAsync(m, C_SIGNAL, signal, left === Number.POSITIVE_INFINITY ? undefined : left);
        if (w.async) {
          // a pending Atomics.waitAsync does not keep Node's event loop alive: a ref'd
          // timer does, so a worker waiting for records is not ended under our feet
          const keepAlive = setTimeout(noop, left < MAX_TIMER_MS ? left + 1 : MAX_TIMER_MS);
          await w.value;
          clearTimeout(keepAlive);
        }
      } finally {
        Atomics.sub(m, C_WAITERS, 1);
      }
    }
  }

  /** Releases the reader slot. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.meta, this.base + R_STATE, READER_STATE_FREE);
  }

  private startSeq(start: RingStart): number {
    return start === 'next' ? Atomics.load(this.meta, C_COMMITTED) + 1 : Atomics.load(this.meta, C_TAIL);
  }

  // First seq of the join-only run before the latest sync point, or the sync point; 0 if
  // no sync point is in the ring.
  private syncStart(): number {
    const m = this.meta;
    const sync = Atomics.load(m, C_LATEST_SYNC);
    if (sync === 0 || sync < Atomics.load(m, C_TAIL)) return 0;
    let start = sync;
    for (let seq = sync - 1; seq > 0 && sync - seq < this.slots; seq--) {
      const h = this.index + (seq % this.slots) * HEADER_WORDS;
      if (Atomics.load(m, h + H_SEQ) !== seq) break;
      const flags = (Atomics.load(m, h + H_TYPE_FLAGS) >>> 8) & 0xff;
      if ((flags & RING_FLAG_JOIN_ONLY) === 0 || Atomics.load(m, C_TAIL) > seq) break;
      start = seq;
    }
    return start;
  }

  private position(seq: number): void {
    this.cursor = seq;
    this.released = seq;
    this.joined = false;
    Atomics.store(this.meta, this.base + R_CURSOR, seq);
  }

  private publish(seq: number): void {
    if (seq <= this.released) return;
    this.released = seq;
    Atomics.store(this.meta, this.base + R_CURSOR, seq);
  }
}
