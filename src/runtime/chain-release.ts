// Giving a chain's blocks back to the pool once nobody holds the chain: the writer
// after it closed, or the last reader to detach after that, whichever comes last.
import type { BlockPool } from './block-pool.ts';
import { C_FIRST_DATA, C_FIRST_INDEX, C_HOLDERS, C_TAIL, C_COMMITTED, C_BLOCKS, type ChainHandle } from './chain-layout.ts';

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
