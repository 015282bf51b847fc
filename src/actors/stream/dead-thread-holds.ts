// A worker thread that dies never gives back what it held of the media chains: the
// writer's share of the chains of its streams (the blocks they retained), and the slots and
// shares of its readers (fan-outs, muxers) in the chains of streams on other workers. The
// main thread's directory tells us once per dead thread, with every stream entry it had;
// we give those holds back, so the blocks return to the pool once the live holders let go.
// Its pins (views being read, socket writes in flight) are given back separately, from its
// row of the pool's pin ledger, when the worker's exit is seen (server.ts).

import type { Logger } from 'pino';
import { poolFor, releaseHoldsOf, type ThreadLostHook } from '../../runtime/index.ts';
import type { StreamEntry } from './stream-source.ts';

export function releaseDeadThreadHolds(log: Logger): ThreadLostHook {
  return (tag, entries) => {
    let shares = 0;
    for (const entry of entries) {
      const chain = (entry as Partial<StreamEntry> | null)?.media?.chain;
      if (chain) shares += releaseHoldsOf(chain, tag, poolFor(chain.pool));
    }
    if (shares > 0) log.info({ worker: Math.floor(tag / 65536), shares }, 'a worker died: its holds on stream media given back');
  };
}
