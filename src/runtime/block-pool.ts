// A process-wide pool of fixed-size blocks of shared memory, usable from every thread.
//
// The data is one SharedArrayBuffer reserved at its full size up front: Linux maps its
// pages only when they are first written, so the reservation costs address space, not
// memory, and every thread addresses a block by its number without being handed a new
// buffer when the pool grows. Freed blocks go on a LIFO stack, so the next allocation
// reuses the most recently touched (resident) block before any fresh one is touched:
// the resident size follows the peak of blocks in use, never the churn.
//
// Each block has a reference count and a generation. Whoever holds a block (a chain of
// records, a socket write of a view of it) holds one reference; the last unref frees it.
// The generation changes at every allocation, so a thread that only knows a block's
// number and generation can pin it safely (`pin`): the pin fails if the block was freed
// or reused since, and never holds a stranger's block.
//
// Pins are short holds by one thread (views being read, socket writes in flight) and are
// also counted per thread, in a row of a shared ledger only that thread writes: a thread
// that dies never lets go of its pins, so the main thread gives them back from its row
// (`releaseThreadPins`) before the thread's replacement starts. A block reference that is
// not a pin (a chain's own hold on its blocks) is not counted there: chains track their
// holders themselves.

import { SluiceError } from './errors.ts';
import { currentWorker } from './registry.ts';

// control words
const P_LOCK = 0; // spinlock of the free stack (held for a few instructions)
const P_FREE_TOP = 1; // entries on the free stack
const P_FRESH = 2; // blocks never handed out yet start here
const P_IN_USE = 3;
const P_PEAK = 4;
const P_FAILED = 5; // allocations refused because the pool was full
const HEADER_WORDS = 16;
// per-block words, after the free stack
const B_REF = 0;
const B_GEN = 1;
const B_NEXT = 2; // the following block of the same chain, -1 = none
const BLOCK_WORDS = 4;

export const MIN_BLOCK_SIZE = 4096;
export const MAX_BLOCK_SIZE = 4 * 1024 * 1024;

/** Plain, structured-cloneable description of a pool: post it to any thread. */
export interface BlockPoolHandle {
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  /** The pin ledger: a row of blockCount counts for each thread 0..threads-1. */
  readonly pins: SharedArrayBuffer;
  readonly blockSize: number;
  readonly blockCount: number;
}

export interface BlockPoolStats {
  blockSize: number;
  blockCount: number;
  inUse: number;
  peak: number;
  failed: number;
}

/**
 * `threads`: how many threads pin blocks (the main thread is 0, workers 1..N), each with
 * its row of the pin ledger; a thread beyond them pins without being counted.
 */
export function createBlockPool(blockSize: number, maxBytes: number, threads = 1): BlockPoolHandle {
  if (!Number.isInteger(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw new SluiceError('POOL_OPTIONS', `block size ${blockSize} not in ${MIN_BLOCK_SIZE}..${MAX_BLOCK_SIZE}`);
  }
  const blockCount = Math.floor(maxBytes / blockSize);
  if (!(blockCount >= 2) || blockCount > 0x3fffffff) {
    throw new SluiceError('POOL_OPTIONS', `max memory ${maxBytes} holds ${blockCount} blocks of ${blockSize}`);
  }
  if (!Number.isInteger(threads) || threads < 1) throw new SluiceError('POOL_OPTIONS', `${threads} threads`);
  const control = new SharedArrayBuffer((HEADER_WORDS + blockCount + blockCount * BLOCK_WORDS) * 4);
  // address space like the data: a row's pages are mapped only where its thread pins
  const pins = new SharedArrayBuffer(threads * blockCount * 4);
  return { control, data: new SharedArrayBuffer(blockCount * blockSize), pins, blockSize, blockCount };
}

export class BlockPool {
  readonly handle: BlockPoolHandle;
  readonly blockSize: number;
  readonly blockCount: number;
  /** The whole data region: block b starts at b * blockSize. */
  readonly bytes: Buffer;
  private readonly c: Int32Array;
  private readonly stack: number;
  private readonly table: number;
  /** This thread's row of the pin ledger (plain stores: no other thread writes it). */
  private readonly held: Int32Array;

  constructor(handle: BlockPoolHandle, thread = currentWorker()) {
    this.handle = handle;
    this.blockSize = handle.blockSize;
    this.blockCount = handle.blockCount;
    this.bytes = Buffer.from(handle.data);
    this.c = new Int32Array(handle.control);
    this.stack = HEADER_WORDS;
    this.table = HEADER_WORDS + handle.blockCount;
    this.held = ledgerRow(handle, thread) ?? new Int32Array(handle.blockCount);
  }

  /** A fresh block with one reference (the caller's), or -1 when the pool is full. */
  alloc(): number {
    const c = this.c;
    this.lock();
    let b: number;
    const top = c[P_FREE_TOP]!;
    if (top > 0) {
      b = c[this.stack + top - 1]!;
      c[P_FREE_TOP] = top - 1;
    } else if (c[P_FRESH]! < this.blockCount) {
      b = c[P_FRESH]!;
      c[P_FRESH] = b + 1;
    } else {
      c[P_FAILED] = c[P_FAILED]! + 1;
      this.unlock();
      return -1;
    }
    const inUse = c[P_IN_USE]! + 1;
    c[P_IN_USE] = inUse;
    if (inUse > c[P_PEAK]!) c[P_PEAK] = inUse;
    this.unlock();
    const t = this.table + b * BLOCK_WORDS;
    // generation first: a pin that races with this reuse sees the new generation and lets go
    Atomics.add(c, t + B_GEN, 1);
    Atomics.store(c, t + B_NEXT, -1);
    Atomics.store(c, t + B_REF, 1);
    return b;
  }

  /**
   * A fresh block held as a pin of this thread (counted in its ledger row, so it goes back
   * to the pool if the thread dies), or -1 when the pool is full. For a thread's own
   * buffers of blocks; let go of it with `unpin`.
   */
  allocPinned(): number {
    const b = this.alloc();
    if (b >= 0) this.held[b]!++;
    return b;
  }

  generation(b: number): number {
    return Atomics.load(this.c, this.table + b * BLOCK_WORDS + B_GEN);
  }

  refCount(b: number): number {
    return Atomics.load(this.c, this.table + b * BLOCK_WORDS + B_REF);
  }

  /** One more reference to a block the caller already holds (or knows to be live). */
  ref(b: number): void {
    Atomics.add(this.c, this.table + b * BLOCK_WORDS + B_REF, 1);
  }

  /**
   * A reference to block b if it is still the allocation of generation `gen`: false when
   * it was freed or reused since (nothing is then held).
   */
  pin(b: number, gen: number): boolean {
    const c = this.c;
    const at = this.table + b * BLOCK_WORDS;
    for (;;) {
      const n = Atomics.load(c, at + B_REF);
      if (n <= 0) return false;
      if (Atomics.compareExchange(c, at + B_REF, n, n + 1) === n) break;
    }
    if (Atomics.load(c, at + B_GEN) === gen) {
      this.held[b]!++;
      return true;
    }
    this.unref(b);
    return false;
  }

  /**
   * A pin on block b if it is allocated at all. Whose it is must be checked by the
   * caller afterwards (a chain's tail tells whether the block can still be its own).
   */
  pinIfLive(b: number): boolean {
    const c = this.c;
    const at = this.table + b * BLOCK_WORDS + B_REF;
    for (;;) {
      const n = Atomics.load(c, at);
      if (n <= 0) return false;
      if (Atomics.compareExchange(c, at, n, n + 1) === n) {
        this.held[b]!++;
        return true;
      }
    }
  }

  /** One more pin on a block this thread already pins (a socket write of its view). */
  pinAgain(b: number): void {
    Atomics.add(this.c, this.table + b * BLOCK_WORDS + B_REF, 1);
    this.held[b]!++;
  }

  /** Lets go of one of this thread's pins. */
  unpin(b: number): void {
    this.held[b]!--;
    this.unref(b);
  }

  /**
   * Gives back every pin that thread still counts (main thread, once the thread is gone
   * and before a replacement uses its row); returns how many.
   */
  releaseThreadPins(thread: number): number {
    const row = ledgerRow(this.handle, thread);
    if (row === null) return 0;
    let released = 0;
    for (let b = 0; b < row.length; b++) {
      const n = row[b]!;
      if (n === 0) continue;
      row[b] = 0;
      for (let i = 0; i < n; i++) this.unref(b);
      released += n;
    }
    return released;
  }

  /** Drops a reference; the last one returns the block to the pool. */
  unref(b: number): void {
    const c = this.c;
    const left = Atomics.sub(c, this.table + b * BLOCK_WORDS + B_REF, 1) - 1;
    if (left > 0) return;
    if (left < 0) throw new SluiceError('POOL_STATE', `block ${b} released more often than held`);
    this.lock();
    c[this.stack + c[P_FREE_TOP]!] = b;
    c[P_FREE_TOP] = c[P_FREE_TOP]! + 1;
    c[P_IN_USE] = c[P_IN_USE]! - 1;
    this.unlock();
  }

  /** The block after b in its chain (-1: none yet). */
  next(b: number): number {
    return Atomics.load(this.c, this.table + b * BLOCK_WORDS + B_NEXT);
  }

  link(b: number, next: number): void {
    Atomics.store(this.c, this.table + b * BLOCK_WORDS + B_NEXT, next);
  }

  /** A view (no copy) of `length` bytes at `offset` in block b. */
  view(b: number, offset: number, length: number): Buffer {
    return Buffer.from(this.handle.data, b * this.blockSize + offset, length);
  }

  get inUse(): number {
    return Atomics.load(this.c, P_IN_USE);
  }

  stats(): BlockPoolStats {
    const c = this.c;
    return {
      blockSize: this.blockSize,
      blockCount: this.blockCount,
      inUse: Atomics.load(c, P_IN_USE),
      peak: Atomics.load(c, P_PEAK),
      failed: Atomics.load(c, P_FAILED),
    };
  }

  private lock(): void {
    // Held for a handful of plain stores: spinning is cheaper than any wait here, and a
    // thread that owns sockets must never block (Atomics.wait).
    while (Atomics.compareExchange(this.c, P_LOCK, 0, 1) !== 0) { /* spin */ }
  }

  private unlock(): void {
    Atomics.store(this.c, P_LOCK, 0);
  }
}

// One BlockPool object per thread and pool: its views are made once.
const pools = new WeakMap<SharedArrayBuffer, BlockPool>();

function ledgerRow(handle: BlockPoolHandle, thread: number): Int32Array | null {
  const rows = handle.pins.byteLength / 4 / handle.blockCount;
  if (!(thread >= 0 && thread < rows)) return null;
  return new Int32Array(handle.pins, thread * handle.blockCount * 4, handle.blockCount);
}

export function poolFor(handle: BlockPoolHandle): BlockPool {
  let pool = pools.get(handle.control);
  if (!pool) {
    pool = new BlockPool(handle);
    pools.set(handle.control, pool);
  }
  return pool;
}
