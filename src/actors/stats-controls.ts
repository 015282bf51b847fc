// Control functions that report this worker's counters to the API in the main thread
// (/metrics): traffic, media received, hook calls, the fan-outs' player counters and
// the players' time to first frame.
// Read on demand over the control plane; nothing here runs on the media path.

import { registerControl, type ActorContext, type ActorRef } from '../runtime/index.ts';
import { trafficTotals } from './client-registry.ts';
import { sourceCounters } from './stream-source.ts';
import { hookCounts, type HookCount } from './hooks.ts';
import { localHub } from './local-services.ts';
import { firstFrameMetrics, type MetricJson } from './first-frame-clock.ts';

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

let ctx: ActorContext | null = null;

/** The WorkerRoot lends its context so that controls can ask this thread's actors. */
export function setStatsContext(c: ActorContext): void {
  ctx = c;
}

async function fanoutTotals(): Promise<FanoutTotals> {
  const sum: FanoutTotals = { fanouts: 0, players: 0, skipped: 0, dropped: 0, sentBytes: 0 };
  if (!ctx) return sum;
  const c = ctx;
  let list: { key: string; ref: ActorRef }[];
  try {
    list = await c.ask<{ key: string; ref: ActorRef }[]>(localHub(), { type: 'hub/fanouts' }, ASK_TIMEOUT_MS);
  } catch {
    return sum;
  }
  const stats = await Promise.allSettled(list.map((f) => c.ask<Omit<FanoutTotals, 'fanouts'>>(f.ref, { type: 'fanout/stats' }, ASK_TIMEOUT_MS)));
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

export async function workerCounters(): Promise<WorkerCounters> {
  const traffic = trafficTotals();
  return {
    sentBytes: traffic.sentBytes,
    receivedBytes: traffic.receivedBytes,
    mediaMessages: sourceCounters.messages,
    mediaBytes: sourceCounters.bytes,
    hooks: hookCounts(),
    fanout: await fanoutTotals(),
    firstFrame: await firstFrameMetrics(),
  };
}

registerControl('worker-counters', () => workerCounters());
