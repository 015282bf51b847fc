// One churn: the publisher slots, the player slots and the hostile loop on one context,
// until stop() is called; stop() drops every connection and waits (bounded) for the loops.

import { SoakContext, type SoakTarget } from './context.ts';
import { publisherSlot } from './publishers.ts';
import { playerSlot } from './players.ts';
import { hostileLoop } from './hostile.ts';

export interface ChurnOptions {
  streams: number;
  ffmpegSlots: number;
  players: number;
  hostile: boolean;
}

export interface Churn {
  readonly ctx: SoakContext;
  stop(): Promise<void>;
}

export function startChurn(target: SoakTarget, opts: ChurnOptions): Churn {
  const ctx = new SoakContext(target);
  const loops: Promise<void>[] = [];
  for (let i = 0; i < opts.streams; i++) loops.push(publisherSlot(ctx, i, i < opts.ffmpegSlots));
  for (let i = 0; i < opts.players; i++) loops.push(playerSlot(ctx));
  if (opts.hostile) loops.push(hostileLoop(ctx));
  return {
    ctx,
    async stop() {
      ctx.stop();
      const all = Promise.allSettled(loops).then(() => undefined);
      let t: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((r) => (t = setTimeout(r, 20_000)))]);
      clearTimeout(t);
      // Anything opened while the loops were winding down.
      ctx.stop();
    },
  };
}
