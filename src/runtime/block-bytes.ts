// Bytes kept in blocks of the process's pool instead of buffers of their own: a file
// being built piece by piece (a segment, a batch of a recording) is appended into pinned
// blocks and handed to another thread as block numbers. Nothing is allocated per append
// or per file, and the memory goes back to the pool (bounded by its size, reused while
// still resident) rather than to the threads' malloc arenas, where freed pages of
// buffers this size stay.

import type { BlockPool } from './block-pool.ts';

/** Bytes in pool blocks, as any thread can name them (structured-cloneable). */
export interface BlockBytes {
  /** The blocks in order; the bytes start at `start` in the first one and run on block after block. */
  readonly blocks: number[];
  /** Each block's generation when handed over: another thread pins it by both (`pinBlockBytes`). */
  readonly gens: number[];
  readonly start: number;
  readonly length: number;
}

export function isBlockBytes(data: unknown): data is BlockBytes {
  return typeof data === 'object' && data !== null && Array.isArray((data as BlockBytes).blocks);
}

/**
 * An append-only run of bytes in pinned blocks of `pool`. `take` hands what was appended
 * over as a BlockBytes; the buffer goes on in the free part of its last block, so batches
 * taken often (a recording's) do not each leave a block half empty.
 */
export class BlockBuffer {
  private readonly pool: BlockPool;
  private readonly maxInUse: number;
  /** Blocks this buffer pins: the untaken bytes are in them. */
  private blocks: number[] = [];
  private start = 0;
  /** Bytes used in the last block. */
  private fill = 0;
  private size = 0;

  /** `maxInUse`: a new block is taken only while fewer than this are in use in the pool. */
  constructor(pool: BlockPool, opts: { maxInUse?: number } = {}) {
    this.pool = pool;
    this.maxInUse = opts.maxInUse ?? Infinity;
  }

  /** Bytes appended since the last take. */
  get length(): number {
    return this.size;
  }

  /**
   * Appends a copy of `bytes`. False when the pool has no block left for it (or is at
   * `maxInUse`): what fitted stays
   * appended, and the caller discards the whole run (a file with a hole is worth nothing).
   */
  append(bytes: Uint8Array): boolean {
    const pool = this.pool;
    const blockSize = pool.blockSize;
    let from = 0;
    while (from < bytes.length) {
      if (this.blocks.length === 0 || this.fill === blockSize) {
        const b = pool.inUse < this.maxInUse ? pool.allocPinned() : -1;
        if (b < 0) return false;
        if (this.blocks.length === 0) this.start = 0;
        this.blocks.push(b);
        this.fill = 0;
      }
      const n = Math.min(bytes.length - from, blockSize - this.fill);
      const piece = from === 0 && n === bytes.length ? bytes : bytes.subarray(from, from + n);
      pool.bytes.set(piece, this.blocks[this.blocks.length - 1]! * blockSize + this.fill);
      this.fill += n;
      this.size += n;
      from += n;
    }
    return true;
  }

  /**
   * What was appended since the last take, or null when nothing was. The caller owns one
   * pin on each of its blocks and gives them back with `releaseBlockBytes`.
   */
  take(): BlockBytes | null {
    if (this.size === 0) return null;
    const blocks = this.blocks;
    const gens = blocks.map((b) => this.pool.generation(b));
    const taken: BlockBytes = { blocks, gens, start: this.start, length: this.size };
    const last = blocks[blocks.length - 1]!;
    if (this.fill < this.pool.blockSize) {
      // the rest of the last block is still ours: one more pin, the taken bytes keep theirs
      this.pool.pinAgain(last);
      this.blocks = [last];
      this.start = this.fill;
    } else {
      this.blocks = [];
    }
    this.size = 0;
    return taken;
  }

  /** Drops what was appended since the last take, and every block this buffer holds. */
  discard(): void {
    for (const b of this.blocks) this.pool.unpin(b);
    this.blocks = [];
    this.start = 0;
    this.fill = 0;
    this.size = 0;
  }
}

/** Gives back the pins a BlockBytes carries, once its bytes are no longer read. */
export function releaseBlockBytes(pool: BlockPool, bytes: BlockBytes): void {
  for (const b of bytes.blocks) pool.unpin(b);
}

/**
 * One pin of this thread on each block of `bytes`, if each is still the allocation it
 * names; false, holding nothing, when any was freed or reused since (its owner died).
 */
export function pinBlockBytes(pool: BlockPool, bytes: BlockBytes): boolean {
  for (let i = 0; i < bytes.blocks.length; i++) {
    if (pool.pin(bytes.blocks[i]!, bytes.gens[i]!)) continue;
    for (let j = 0; j < i; j++) pool.unpin(bytes.blocks[j]!);
    return false;
  }
  return true;
}

/** Calls `fn` with each contiguous piece of `bytes`: its offset in the pool's data, and length. */
export function forEachBlockPiece(bytes: BlockBytes, blockSize: number, fn: (offset: number, length: number) => void): void {
  let left = bytes.length;
  for (let i = 0; i < bytes.blocks.length && left > 0; i++) {
    const from = i === 0 ? bytes.start : 0;
    const n = Math.min(left, blockSize - from);
    fn(bytes.blocks[i]! * blockSize + from, n);
    left -= n;
  }
}
