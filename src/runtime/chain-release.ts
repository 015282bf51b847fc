// Giving a chain's blocks back to the pool once nobody holds the chain: the writer
// after it closed, or the last reader to detach after that, whichever comes last.
import type { BlockPool } from './block-pool.ts';
import {
  C_BLOCKS, C_CLOSED, C_COMMITTED, C_EPOCH, C_FIRST_DATA, C_FIRST_INDEX, C_HOLDERS, C_TAIL, C_WRITER_THREAD,
  R_HOLDS, R_STATE, R_THREAD, readerBase, type ChainHandle,
} from './chain-layout.ts';

/** Takes one holder's share; returns false when the chain was already released. */
export function holdChain(handle: ChainHandle): boolean {
  const c = new Int32Array(handle.control);
  for (;;) {
    const n = Atomics.load(c, C_HOLDERS);
    if (n <= 0) return false;
    if (Atomics.compareExchange(c, C_HOLDERS, n, n + 1) === n) return true;
  }
}

/** Drops one holder's share; the last one frees every block the chain still retains. */
export function releaseChain(handle: ChainHandle, pool: BlockPool): void {
  const c = new Int32Array(handle.control);
  if (Atomics.sub(c, C_HOLDERS, 1) !== 1) return;
  // nothing is retained from here on: a late reader sees every record as gone
  Atomics.store(c, C_TAIL, Atomics.load(c, C_COMMITTED) + 1);
  for (const word of [C_FIRST_DATA, C_FIRST_INDEX]) {
    let b = Atomics.exchange(c, word, -1);
    while (b >= 0) {
      const next = pool.next(b);
      pool.unref(b);
      b = next;
    }
  }
  Atomics.store(c, C_BLOCKS, 0);
}

/**
 * Gives back what a thread that died held of a chain (its writer's share, closing the
 * chain, and its readers' slots and shares), since that thread will never do it; returns
 * how many shares were given back. Only for a dead thread's tag: a live holder's share
 * taken from under it would free blocks it still reads.
 */
export function releaseHoldsOf(handle: ChainHandle, tag: number, pool: BlockPool): number {
  const c = new Int32Array(handle.control);
  let released = 0;
  if (Atomics.load(c, C_WRITER_THREAD) === tag && Atomics.compareExchange(c, C_CLOSED, 0, 1) === 0) {
    Atomics.add(c, C_EPOCH, 1);
    releaseChain(handle, pool);
    released++;
  }
  for (let r = 0; r < handle.maxReaders; r++) {
    const b = readerBase(r);
    if (Atomics.load(c, b + R_THREAD) !== tag || Atomics.load(c, b + R_STATE) !== 1) continue;
    if (Atomics.compareExchange(c, b + R_STATE, 1, 0) !== 1) continue;
    if (Atomics.load(c, b + R_HOLDS) === 1) {
      releaseChain(handle, pool);
      released++;
    }
  }
  return released;
}
