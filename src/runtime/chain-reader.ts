// One reader of a record chain, in any thread. It claims a slot in the chain's control
// buffer where it publishes the oldest record it still needs; the writer keeps records
// from there on unless a bound forces it further, and then flags the reader as lapped.
//
// Join-only rule: a reader is "joining" from the moment it is positioned until next()
// hands it its first sync record. Join-only records are handed out only while joining
// (or always, with includeJoinOnly, for a reader that applies the rule per consumer).
//
// Every record is re-validated after its entry was read (the tail has not passed it),
// and bytes copied out are re-validated the same way after the copy; views handed to a
// socket are pinned first (pin), so the pool cannot reuse them while they are in flight.

import { SluiceError } from './errors.ts';
import { poolFor, type BlockPool } from './block-pool.ts';
import {
  C_CLOSED, C_COMMITTED, C_EPOCH, C_FIRST_INDEX, C_FIRST_INDEX_SEQ, C_LATEST_SYNC, C_LATEST_TS, C_TAIL,
  CHAIN_FLAG_JOIN_ONLY, CHAIN_FLAG_SYNC, E_AUX, E_BLOCK, E_LENGTH, E_OFFSET, E_SEQ, E_TS, E_TYPE_FLAGS,
  ENTRY_WORDS, R_CURSOR, R_FENCE, R_HOLDS, R_LAPPED, R_STATE, R_THREAD, entriesPerBlock, readerBase, type ChainHandle,
} from './chain-layout.ts';
import { holdChain, releaseChain } from './chain-release.ts';
import { threadTag } from './registry.ts';

export type ChainStart = 'latest-sync' | 'next' | 'oldest';

export interface ChainReaderOptions {
  /** Where to start (default 'latest-sync'; 'oldest' when no sync record is retained). */
  startAt?: ChainStart;
  /** Publish each record handed out by next() as the oldest still needed. */
  autoRelease?: boolean;
  /** Hand out join-only records even once joined. */
  includeJoinOnly?: boolean;
}

/** The one record object a reader reuses for every next(). */
export interface ChainRecord {
  seq: number;
  timestamp: number;
  type: number;
  flags: number;
  /** Data block and offset where the record's bytes start (they may continue in later blocks). */
  block: number;
  offset: number;
  length: number;
  aux: number;
}

export class ChainReader {
  readonly pool: BlockPool;
  readonly slot: number;
  /** Successful skipToLatestSync calls. */
  skips = 0;
  private readonly c: Int32Array;
  private readonly i32: Int32Array;
  private readonly handle: ChainHandle;
  private readonly base: number;
  private readonly perBlock: number;
  private readonly blockSize: number;
  private readonly autoRelease: boolean;
  private readonly includeJoinOnly: boolean;
  private readonly rec: ChainRecord = { seq: 0, timestamp: 0, type: 0, flags: 0, block: 0, offset: 0, length: 0, aux: 0 };
  private cursor = 1;
  private released = 1;
  private joined = false;
  private closed = false;
  /** Whether this reader holds the chain (false: it was released before we came). */
  private readonly holding: boolean;
  // the index block holding the cursor's entry, and the seq of its first entry
  private iBlock = -1;
  private iBase = 0;

  constructor(handle: ChainHandle, options: ChainReaderOptions = {}) {
    this.handle = handle;
    this.pool = poolFor(handle.pool);
    this.c = new Int32Array(handle.control);
    this.i32 = new Int32Array(handle.pool.data);
    this.blockSize = this.pool.blockSize;
    this.perBlock = entriesPerBlock(this.blockSize);
    this.autoRelease = options.autoRelease === true;
    this.includeJoinOnly = options.includeJoinOnly === true;
    const c = this.c;
    let slot = -1;
    for (let r = 0; r < handle.maxReaders; r++) {
      if (Atomics.compareExchange(c, readerBase(r) + R_STATE, 0, 2) === 0) {
        slot = r;
        break;
      }
    }
    if (slot < 0) throw new SluiceError('CHAIN_READER_SLOTS', `${handle.maxReaders} readers attached`);
    this.slot = slot;
    this.base = readerBase(slot);
    this.holding = holdChain(handle);
    Atomics.store(c, this.base + R_HOLDS, this.holding ? 1 : 0);
    Atomics.store(c, this.base + R_THREAD, threadTag());
    const start = options.startAt ?? 'latest-sync';
    do {
      const sync = start === 'latest-sync' ? this.syncStart() : 0;
      this.position(sync || (start === 'next' ? Atomics.load(c, C_COMMITTED) + 1 : Atomics.load(c, C_TAIL)));
    } while (this.cursor < Atomics.load(c, C_TAIL));
    Atomics.store(c, this.base + R_LAPPED, 0);
    Atomics.store(c, this.base + R_STATE, 1);
    Atomics.add(c, C_EPOCH, 1);
  }

  get cursorSeq(): number {
    return this.cursor;
  }

  get releasedSeq(): number {
    return this.released;
  }

  get committed(): number {
    return Atomics.load(this.c, C_COMMITTED);
  }

  get latestSync(): number {
    return Atomics.load(this.c, C_LATEST_SYNC);
  }

  available(): number {
    const n = Atomics.load(this.c, C_COMMITTED) - this.cursor + 1;
    return n > 0 ? n : 0;
  }

  /**
   * The next record, or null when none is committed, or when the record at the cursor is
   * no longer retained (then isLapped() is true). The object is reused by the next call.
   */
  next(): ChainRecord | null {
    const c = this.c;
    const committed = Atomics.load(c, C_COMMITTED);
    let relocated = false;
    while (this.cursor <= committed) {
      const seq = this.cursor;
      const e = this.entry(seq);
      if (e < 0) return null;
      const m = this.i32;
      const s = Atomics.load(m, e + E_SEQ);
      const ts = Atomics.load(m, e + E_TS);
      const tf = Atomics.load(m, e + E_TYPE_FLAGS);
      const block = Atomics.load(m, e + E_BLOCK);
      const offset = Atomics.load(m, e + E_OFFSET);
      const length = Atomics.load(m, e + E_LENGTH);
      const aux = Atomics.load(m, e + E_AUX);
      if (Atomics.load(c, C_TAIL) > seq) return null;
      if (s !== seq) {
        // The index block was found from a first-block and first-seq pair read while the
        // writer changed it: find it again, once.
        this.iBlock = -1;
        if (relocated) return null;
        relocated = true;
        continue;
      }
      this.cursor = seq + 1;
      const flags = (tf >>> 8) & 0xff;
      if ((flags & CHAIN_FLAG_JOIN_ONLY) !== 0 && this.joined && !this.includeJoinOnly) continue;
      if ((flags & CHAIN_FLAG_SYNC) !== 0) this.joined = true;
      const rec = this.rec;
      rec.seq = seq;
      rec.timestamp = ts >>> 0;
      rec.type = tf & 0xff;
      rec.flags = flags;
      rec.block = block;
      rec.offset = offset;
      rec.length = length;
      rec.aux = aux;
      if (this.autoRelease) this.publish(seq);
      return rec;
    }
    return null;
  }

  /**
   * Copies `length` bytes of the chain starting `skip` bytes into a record (at block,
   * offset) into out[at..]. Returns false when the record was no longer retained by the
   * end of the copy (what was copied is then garbage).
   */
  copy(seq: number, block: number, offset: number, skip: number, length: number, out: Uint8Array, at: number): boolean {
    const bs = this.blockSize;
    const bytes = this.pool.bytes;
    let b = block;
    let o = offset + skip;
    while (o >= bs) {
      b = this.pool.next(b);
      if (b < 0) return false;
      o -= bs;
    }
    while (length > 0) {
      const k = Math.min(length, bs - o);
      const from = b * bs + o;
      out.set(bytes.subarray(from, from + k), at);
      at += k;
      length -= k;
      if (length > 0) {
        b = this.pool.next(b);
        if (b < 0) return false;
        o = 0;
      }
    }
    return this.isIntact(seq);
  }

  /**
   * Views (no copy) of `length` chain bytes from (block, offset + skip), one per block
   * crossed, appended to `out`; each block crossed is pinned once into `pins` (unpin()
   * them when the views are no longer in use). False, with nothing pinned, when a block
   * could not be pinned or `seq` is no longer retained.
   */
  views(seq: number, block: number, offset: number, skip: number, length: number, out: Buffer[], pins: number[]): boolean {
    const bs = this.blockSize;
    const pool = this.pool;
    const pinsBefore = pins.length;
    const outBefore = out.length;
    let b = block;
    let o = offset + skip;
    while (o >= bs) {
      b = pool.next(b);
      if (b < 0) return false;
      o -= bs;
    }
    let ok = true;
    while (length > 0) {
      if (!pool.pinIfLive(b)) {
        ok = false;
        break;
      }
      pins.push(b);
      const k = Math.min(length, bs - o);
      out.push(pool.view(b, o, k));
      length -= k;
      if (length > 0) {
        b = pool.next(b);
        o = 0;
        if (b < 0) {
          ok = false;
          break;
        }
      }
    }
    if (ok && this.isIntact(seq)) return true;
    for (let i = pinsBefore; i < pins.length; i++) pool.unpin(pins[i]!);
    pins.length = pinsBefore;
    out.length = outBefore;
    return false;
  }

  /** Lets go of blocks pinned by views(). */
  unpin(pins: number[], from = 0): void {
    for (let i = from; i < pins.length; i++) this.pool.unpin(pins[i]!);
    pins.length = from;
  }

  /** Publishes seq as the oldest record still needed (never backwards, never past the cursor). */
  release(seq: number): void {
    this.publish(seq > this.cursor ? this.cursor : seq);
  }

  /** True while record seq is committed and retained. */
  isIntact(seq: number): boolean {
    // the read-modify-write orders the caller's earlier plain reads before the tail load
    Atomics.add(this.c, this.base + R_FENCE, 0);
    return seq >= Atomics.load(this.c, C_TAIL) && seq <= Atomics.load(this.c, C_COMMITTED);
  }

  isLapped(): boolean {
    const c = this.c;
    return Atomics.load(c, this.base + R_LAPPED) !== 0 || this.cursor < Atomics.load(c, C_TAIL);
  }

  /** The oldest record the chain still keeps. */
  get oldest(): number {
    return Atomics.load(this.c, C_TAIL);
  }

  /**
   * After a lap that cost nothing unread (the read cursor is still at or past the tail:
   * only records this reader had published as still needed are gone): publishes the tail
   * and clears the flag. False when unread records were lost too.
   */
  recoverLap(): boolean {
    const c = this.c;
    const tail = Atomics.load(c, C_TAIL);
    if (this.cursor < tail) return false;
    this.publish(tail);
    Atomics.store(c, this.base + R_LAPPED, 0);
    Atomics.add(c, C_EPOCH, 1);
    return true;
  }

  /** Moves to the oldest record kept and clears the lapped flag (when no sync record is kept). */
  skipToOldest(): void {
    this.position(Atomics.load(this.c, C_TAIL));
    Atomics.store(this.c, this.base + R_LAPPED, 0);
    Atomics.add(this.c, C_EPOCH, 1);
  }

  /**
   * Moves to the latest sync record, starting with the run of join-only records before
   * it, and clears the lapped flag. False when no sync record is retained.
   */
  skipToLatestSync(): boolean {
    for (let attempt = 0; attempt < 4; attempt++) {
      const start = this.syncStart();
      if (start === 0) return false;
      this.position(start);
      Atomics.store(this.c, this.base + R_LAPPED, 0);
      Atomics.add(this.c, C_EPOCH, 1);
      if (start >= Atomics.load(this.c, C_TAIL)) {
        this.skips++;
        return true;
      }
    }
    return false;
  }

  /** Writer's latest timestamp minus the published cursor's (Infinity when gone). */
  lagMs(): number {
    const seq = this.released;
    if (seq > Atomics.load(this.c, C_COMMITTED)) return 0;
    const e = this.entry(seq);
    if (e < 0) return Number.POSITIVE_INFINITY;
    const ts = Atomics.load(this.i32, e + E_TS);
    if (!this.isIntact(seq) || Atomics.load(this.i32, e + E_SEQ) !== seq) return Number.POSITIVE_INFINITY;
    const d = (Atomics.load(this.c, C_LATEST_TS) - ts) | 0;
    return d > 0 ? d : 0;
  }

  isClosed(): boolean {
    return Atomics.load(this.c, C_CLOSED) !== 0 || !this.holding;
  }

  /** Releases the slot and this reader's hold on the chain. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.c, this.base + R_STATE, 0);
    if (this.holding) releaseChain(this.handle, this.pool);
  }

  // The word offset of seq's index entry in the pool, or -1 when it is not retained.
  private entry(seq: number): number {
    const per = this.perBlock;
    if (this.iBlock < 0 || seq < this.iBase || seq >= this.iBase + 2 * per) {
      if (!this.locate(seq)) return -1;
    } else if (seq >= this.iBase + per) {
      const next = this.pool.next(this.iBlock);
      if (next < 0) return -1;
      this.iBlock = next;
      this.iBase += per;
    }
    return (this.iBlock * this.blockSize) / 4 + (seq - this.iBase) * ENTRY_WORDS;
  }

  // Walks from the chain's first index block to the one holding seq.
  private locate(seq: number): boolean {
    const c = this.c;
    const per = this.perBlock;
    for (let attempt = 0; attempt < 4; attempt++) {
      let b = Atomics.load(c, C_FIRST_INDEX);
      const first = Atomics.load(c, C_FIRST_INDEX_SEQ);
      if (b < 0 || seq < first) return false;
      if (Atomics.load(c, C_FIRST_INDEX) !== b) continue;
      let base = first;
      while (b >= 0 && seq >= base + per) {
        b = this.pool.next(b);
        base += per;
      }
      if (b < 0) return false;
      this.iBlock = b;
      this.iBase = base;
      return true;
    }
    return false;
  }

  // First seq of the join-only run before the latest sync record, or that record; 0 if none.
  private syncStart(): number {
    const c = this.c;
    const sync = Atomics.load(c, C_LATEST_SYNC);
    if (sync === 0 || sync < Atomics.load(c, C_TAIL)) return 0;
    let start = sync;
    for (let seq = sync - 1; seq > 0 && sync - seq < 64; seq--) {
      const e = this.entry(seq);
      if (e < 0 || Atomics.load(this.i32, e + E_SEQ) !== seq) break;
      const flags = (Atomics.load(this.i32, e + E_TYPE_FLAGS) >>> 8) & 0xff;
      if ((flags & CHAIN_FLAG_JOIN_ONLY) === 0 || Atomics.load(c, C_TAIL) > seq) break;
      start = seq;
    }
    return start;
  }

  private position(seq: number): void {
    this.cursor = seq;
    this.released = seq;
    this.joined = false;
    Atomics.store(this.c, this.base + R_CURSOR, seq);
  }

  private publish(seq: number): void {
    if (seq <= this.released) return;
    this.released = seq;
    Atomics.store(this.c, this.base + R_CURSOR, seq);
  }
}
