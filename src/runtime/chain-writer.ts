// The single writer of a record chain (chain-layout.ts). It takes blocks from the pool
// as records arrive and gives them back as the tail moves past them: a chain holds what
// its retention needs, never a fixed reservation. It never waits for a reader.

import { SluiceError } from './errors.ts';
import { poolFor, type BlockPool, type BlockPoolHandle } from './block-pool.ts';
import {
  C_BLOCKS, C_CLOSED, C_COMMITTED, C_EPOCH, C_FIRST_DATA, C_FIRST_INDEX, C_FIRST_INDEX_SEQ, C_HOLDERS,
  C_LATEST_SYNC, C_LATEST_TS, C_TAIL, C_WRITER_THREAD, CHAIN_FLAG_SYNC, E_AUX, E_BLOCK, E_LENGTH, E_OFFSET, E_SEQ, E_TS,
  E_TYPE_FLAGS, ENTRY_WORDS, R_CURSOR, R_LAPPED, R_STATE, createChainControl, entriesPerBlock, readerBase,
  type ChainHandle,
} from './chain-layout.ts';
import { releaseChain } from './chain-release.ts';
import { threadTag } from './registry.ts';

/** Fewer blocks than a record needs were free in the pool. */
export class PoolFullError extends SluiceError {
  constructor(bytes: number) {
    super('POOL_FULL', `no pool blocks free for a record of ${bytes} bytes`);
  }
}

/** A small deque of block numbers, oldest first. */
class BlockList {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  at(i: number): number {
    return this.items[this.head + i]!;
  }

  last(): number {
    return this.items[this.items.length - 1]!;
  }

  push(b: number): void {
    this.items.push(b);
  }

  shift(): number {
    const b = this.items[this.head++]!;
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return b;
  }
}

export class ChainWriter {
  readonly handle: ChainHandle;
  readonly pool: BlockPool;
  /** Readers flagged as lapped so far. */
  lappedReaders = 0;
  private readonly c: Int32Array;
  /** The pool's data as Int32 words: index entries are read and written through it. */
  private readonly i32: Int32Array;
  private readonly perIndexBlock: number;
  private readonly blockSize: number;
  private readonly data = new BlockList();
  private readonly index = new BlockList();
  private indexBase = 1; // seq of the first entry of index.at(0)
  private seq = 0;
  private tail = 1;
  private closed = false;
  // where the next byte goes: data.at(wAt), offset wOff (wAt = -1 before the first block)
  private wAt = -1;
  private wOff = 0;
  // the record between begin and commit
  private pSeq = 0;
  private pAt = 0;
  private pBlock = 0;
  private pOffset = 0;
  private pLength = 0;
  private pLeft = 0;
  private pTypeFlags = 0;
  private pTs = 0;
  private pAux = 0;

  constructor(pool: BlockPoolHandle, maxReaders: number) {
    this.handle = { control: createChainControl(maxReaders), pool, maxReaders };
    this.pool = poolFor(pool);
    this.blockSize = this.pool.blockSize;
    this.perIndexBlock = entriesPerBlock(this.blockSize);
    this.c = new Int32Array(this.handle.control);
    this.i32 = new Int32Array(pool.data);
    const c = this.c;
    c[C_TAIL] = 1;
    c[C_FIRST_INDEX] = -1;
    c[C_FIRST_DATA] = -1;
    c[C_FIRST_INDEX_SEQ] = 1;
    c[C_HOLDERS] = 1;
    c[C_WRITER_THREAD] = threadTag();
  }

  get committed(): number {
    return this.seq;
  }

  get oldest(): number {
    return this.tail;
  }

  /** Blocks this chain retains now. */
  get blocks(): number {
    return this.data.length + this.index.length;
  }

  /**
   * Starts the next record of `length` bytes, taking the blocks for its first `reserve`
   * bytes (1..length) from the pool now; throws PoolFullError when the pool has too few.
   * With the whole length reserved (the default) put() cannot fail halfway; a record whose
   * bytes are still to come (reserve < length) takes its blocks as they are put, so a peer
   * costs what it sent, not what it declared, and put() may throw PoolFullError (the
   * caller aborts the record).
   */
  begin(type: number, flags: number, timestamp: number, length: number, aux = 0, reserve = length): void {
    if (this.closed) throw new SluiceError('CHAIN_CLOSED');
    if (this.pSeq !== 0) throw new SluiceError('CHAIN_STATE', 'begin with a record open');
    const seq = this.seq + 1;
    const needIndex = seq - this.indexBase >= this.index.length * this.perIndexBlock ? 1 : 0;
    const room = this.wAt < 0 ? 0 : this.blockSize - this.wOff + (this.data.length - 1 - this.wAt) * this.blockSize;
    const first = Math.max(1, Math.min(reserve, length));
    const needData = first > room ? Math.ceil((first - room) / this.blockSize) : this.wAt < 0 ? 1 : 0;
    if (needIndex + needData > 0) this.grow(needIndex, needData, length);
    if (this.wOff === this.blockSize) {
      this.wAt++;
      this.wOff = 0;
    }
    this.pSeq = seq;
    this.pAt = this.wAt;
    this.pBlock = this.data.at(this.wAt);
    this.pOffset = this.wOff;
    this.pLength = length;
    this.pLeft = length;
    this.pTypeFlags = (type & 0xff) | ((flags & 0xff) << 8);
    this.pTs = timestamp | 0;
    this.pAux = aux | 0;
  }

  /** Copies src[from, to) into the record begun, after what was put before. */
  put(src: Uint8Array, from = 0, to = src.length): void {
    let n = to - from;
    if (this.pSeq === 0) throw new SluiceError('CHAIN_STATE', 'put with no record begun');
    if (n > this.pLeft) throw new SluiceError('CHAIN_STATE', `put ${n} bytes, ${this.pLeft} left in the record`);
    this.pLeft -= n;
    const bytes = this.pool.bytes;
    while (n > 0) {
      if (this.wOff === this.blockSize) {
        if (this.wAt + 1 >= this.data.length) this.grow(0, 1, this.pLength);
        this.wAt++;
        this.wOff = 0;
      }
      const b = this.data.at(this.wAt);
      const k = Math.min(n, this.blockSize - this.wOff);
      bytes.set(k === to - from ? src.subarray(from, to) : src.subarray(from, from + k), b * this.blockSize + this.wOff);
      from += k;
      n -= k;
      this.wOff += k;
    }
  }

  /** Copies bytes [skip, skip + n) of the record begun (what was put so far) into out[at..]. */
  readOpen(skip: number, n: number, out: Uint8Array, at: number): void {
    if (this.pSeq === 0 || skip + n > this.pLength - this.pLeft) throw new SluiceError('CHAIN_STATE', `read ${n} bytes at ${skip} of the open record`);
    const bs = this.blockSize;
    const bytes = this.pool.bytes;
    let i = this.pAt + Math.floor((this.pOffset + skip) / bs);
    let off = (this.pOffset + skip) % bs;
    while (n > 0) {
      const k = Math.min(n, bs - off);
      const start = this.data.at(i) * bs + off;
      out.set(bytes.subarray(start, start + k), at);
      at += k;
      n -= k;
      i++;
      off = 0;
    }
  }

  /**
   * Forgets the record begun: nothing of it was published, and its space is written
   * again by the next record (the blocks it took stay in the chain for that).
   */
  abort(): void {
    if (this.pSeq === 0) return;
    this.pSeq = 0;
    this.wAt = this.pAt;
    this.wOff = this.pOffset;
  }

  /** Publishes the record begun; returns its seq. */
  commit(): number {
    const seq = this.pSeq;
    if (seq === 0 || this.pLeft !== 0) throw new SluiceError('CHAIN_STATE', `commit with ${this.pLeft} bytes missing`);
    this.pSeq = 0;
    const k = seq - this.indexBase;
    const ib = this.index.at(Math.floor(k / this.perIndexBlock));
    const e = (ib * this.blockSize) / 4 + (k % this.perIndexBlock) * ENTRY_WORDS;
    const m = this.i32;
    m[e + E_TS] = this.pTs;
    m[e + E_TYPE_FLAGS] = this.pTypeFlags;
    m[e + E_BLOCK] = this.pBlock;
    m[e + E_OFFSET] = this.pOffset;
    m[e + E_LENGTH] = this.pLength;
    m[e + E_AUX] = this.pAux;
    Atomics.store(m, e + E_SEQ, seq);
    this.seq = seq;
    const c = this.c;
    c[C_LATEST_TS] = this.pTs;
    Atomics.store(c, C_COMMITTED, seq);
    if (((this.pTypeFlags >>> 8) & CHAIN_FLAG_SYNC) !== 0) Atomics.store(c, C_LATEST_SYNC, seq);
    return seq;
  }

  /** Timestamp of a retained record (the writer's own bookkeeping). */
  timestampOf(seq: number): number {
    return this.i32[this.entryAt(seq) + E_TS]!;
  }

  flagsOf(seq: number): number {
    return (this.i32[this.entryAt(seq) + E_TYPE_FLAGS]! >>> 8) & 0xff;
  }

  /** Readers attached now. */
  readerCount(): number {
    let n = 0;
    for (let r = 0; r < this.handle.maxReaders; r++) if (Atomics.load(this.c, readerBase(r) + R_STATE) === 1) n++;
    return n;
  }

  /** The oldest seq a reader still needs (committed + 1 when none needs anything). */
  minReaderCursor(): number {
    const c = this.c;
    let min = this.seq + 1;
    for (let r = 0; r < this.handle.maxReaders; r++) {
      const b = readerBase(r);
      if (Atomics.load(c, b + R_STATE) !== 1 || Atomics.load(c, b + R_LAPPED) !== 0) continue;
      const cursor = Atomics.load(c, b + R_CURSOR);
      if (cursor < min) min = cursor;
    }
    return min;
  }

  /**
   * Retains records from `keep` on (at most committed + 1): readers that still needed an
   * older one are flagged lapped, then the tail moves, then the blocks before it go back.
   */
  trim(keep: number): void {
    // the open record's blocks are not behind the tail yet, but may be behind the write block
    if (this.pSeq !== 0) throw new SluiceError('CHAIN_STATE', 'trim with a record open');
    if (keep > this.seq + 1) keep = this.seq + 1;
    if (keep <= this.tail) return;
    const c = this.c;
    for (let r = 0; r < this.handle.maxReaders; r++) {
      const b = readerBase(r);
      if (Atomics.load(c, b + R_STATE) !== 1 || Atomics.load(c, b + R_LAPPED) !== 0) continue;
      if (Atomics.load(c, b + R_CURSOR) < keep) {
        Atomics.store(c, b + R_LAPPED, 1);
        this.lappedReaders++;
      }
    }
    Atomics.store(c, C_TAIL, keep);
    this.tail = keep;
    // data blocks before the one where `keep` starts (or before the write block)
    const keepBlock = keep <= this.seq ? this.i32[this.entryAt(keep) + E_BLOCK]! : this.data.length > 0 ? this.data.at(this.wAt) : -1;
    while (this.data.length > 1 && this.data.at(0) !== keepBlock) {
      this.pool.unref(this.data.shift());
      this.wAt--;
    }
    while (this.index.length > 1 && keep - this.indexBase >= this.perIndexBlock) {
      this.pool.unref(this.index.shift());
      this.indexBase += this.perIndexBlock;
    }
    c[C_FIRST_INDEX_SEQ] = this.indexBase;
    Atomics.store(c, C_FIRST_INDEX, this.index.length > 0 ? this.index.at(0) : -1);
    Atomics.store(c, C_FIRST_DATA, this.data.length > 0 ? this.data.at(0) : -1);
    Atomics.store(c, C_BLOCKS, this.blocks);
  }

  /** End of the stream: readers see it; the blocks go back once the last reader detaches. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pSeq = 0;
    const c = this.c;
    Atomics.store(c, C_CLOSED, 1);
    Atomics.add(c, C_EPOCH, 1);
    releaseChain(this.handle, this.pool);
  }

  private entryAt(seq: number): number {
    const k = seq - this.indexBase;
    const ib = this.index.at(Math.floor(k / this.perIndexBlock));
    return (ib * this.blockSize) / 4 + (k % this.perIndexBlock) * ENTRY_WORDS;
  }

  private grow(needIndex: number, needData: number, length: number): void {
    const got: number[] = [];
    for (let i = 0; i < needIndex + needData; i++) {
      const b = this.pool.alloc();
      if (b < 0) {
        for (const g of got) this.pool.unref(g);
        throw new PoolFullError(length);
      }
      got.push(b);
    }
    let i = 0;
    if (needIndex) {
      const b = got[i++]!;
      if (this.index.length > 0) this.pool.link(this.index.last(), b);
      this.index.push(b);
      if (this.index.length === 1) {
        this.c[C_FIRST_INDEX_SEQ] = this.indexBase;
        Atomics.store(this.c, C_FIRST_INDEX, b);
      }
    }
    for (; i < got.length; i++) {
      const b = got[i]!;
      if (this.data.length > 0) this.pool.link(this.data.last(), b);
      this.data.push(b);
      if (this.data.length === 1) {
        Atomics.store(this.c, C_FIRST_DATA, b);
        this.wAt = 0;
        this.wOff = 0;
      }
    }
    Atomics.store(this.c, C_BLOCKS, this.blocks);
  }
}
