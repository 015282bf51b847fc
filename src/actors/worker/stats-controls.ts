// What a worker reports to the API in the main thread (/metrics): traffic, media
// received, hook calls, the fan-outs' player counters and the players' time to first
// frame. Read on demand over the control plane; nothing here runs on the media path.

import type { ActorContext, ActorRef } from '../../runtime/index.ts';
import type { HookCount } from '../hooks/hooks.ts';
import type { WorkerServices } from './worker-services.ts';
import type { MetricJson } from '../stream/first-frame-clock.ts';

const ASK_TIMEOUT_MS = 2000;

export interface FanoutTotals {
  fanouts: number;
  players: number;
  skipped: number;
  dropped: number;
  sentBytes: number;
}

export interface WorkerCounters {
  sentBytes: number;
  receivedBytes: number;
  mediaMessages: number;
  mediaBytes: number;
  hooks: HookCount[];
  fanout: FanoutTotals;
  /** The time-to-first-frame histogram of this worker's players (prom-client JSON). */
  firstFrame: MetricJson[];
}

/** `ctx` is the WorkerRoot's: it asks this thread's hub and fan-outs. */
async function fanoutTotals(services: WorkerServices, ctx: ActorContext): Promise<FanoutTotals> {
  const sum: FanoutTotals = { fanouts: 0, players: 0, skipped: 0, dropped: 0, sentBytes: 0 };
  let list: { key: string; ref: ActorRef }[];
  try {
    list = await ctx.ask<{ key: string; ref: ActorRef }[]>(services.hub, { type: 'hub/fanouts' }, ASK_TIMEOUT_MS);
  } catch {
    return sum;
  }
  const stats = await Promise.allSettled(list.map((f) => ctx.ask<Omit<FanoutTotals, 'fanouts'>>(f.ref, { type: 'fanout/stats' }, ASK_TIMEOUT_MS)));
  for (const s of stats) {
    if (s.status !== 'fulfilled') continue;
    sum.fanouts++;
    sum.players += s.value.players;
    sum.skipped += s.value.skipped;
    sum.dropped += s.value.dropped;
    sum.sentBytes += s.value.sentBytes;
  }
  return sum;
}

export async function workerCounters(services: WorkerServices, ctx: ActorContext): Promise<WorkerCounters> {
  const traffic = services.clients.trafficTotals();
  return {
    sentBytes: traffic.sentBytes,
    receivedBytes: traffic.receivedBytes,
    mediaMessages: services.mediaCounters.messages,
    mediaBytes: services.mediaCounters.bytes,
    hooks: services.hookCounts.list(),
    fanout: await fanoutTotals(services, ctx),
    firstFrame: await services.firstFrames.metrics(),
  };
}
