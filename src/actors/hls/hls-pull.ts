// HLS of a stream that lives on another origin of the cluster. HLS viewers are plain
// file requests, not players of a fan-out, so nothing would pull the stream for them: a
// playlist request of such a stream attaches one hold-only sink per stream and worker to
// the stream's fan-out, which counts it as wanting the stream (and is served nothing) and
// has the edge pull start (edge-interest.ts); the pulled StreamSource writes the HLS files
// here like any local stream. The sink leaves once no playlist was asked for a while,
// and the pull stops after it as after the last player.

import { existsSync } from 'node:fs';
import type { ActorContext, ActorRef } from '../../runtime/index.ts';
import type { MediaSink } from '../stream/media-sink.ts';
import type { SluiceConfig } from '../../config/types.ts';
import { livesElsewhere } from '../relay/cluster-names.ts';

/** A viewer polls its playlist every target duration; this much silence ends the pull. */
const IDLE_MS = 30_000;
const WAIT_POLL_MS = 200;

class HlsPullSink implements MediaSink {
  readonly format = 'flv' as const;
  readonly holdOnly = true;
  readonly id: string;
  private readonly onDrop: () => void;

  constructor(id: string, onDrop: () => void) {
    this.id = id;
    this.onDrop = onDrop;
  }

  write(_views: readonly Buffer[], _count: number, done: (err?: Error | null) => void): void {
    done(null); // never called for a hold-only sink
  }

  queuedBytes(): number {
    return 0;
  }

  streamStarted(): void {}

  streamEnded(): void {} // stays: the stream may come back, on any origin

  drop(): void {
    this.onDrop();
  }
}

interface Pull {
  sink: HlsPullSink;
  fanout: ActorRef | null;
  lastAsked: number;
}

/** What the pulls need of their worker: its MediaHub and the configuration in force. */
export interface HlsPullWorker {
  readonly hub: ActorRef;
  readonly config: SluiceConfig;
}

/** The HLS pulls of one worker thread (held by its WorkerServices). */
export class HlsPulls {
  private readonly worker: HlsPullWorker;
  private readonly pulls = new Map<string, Pull>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(worker: HlsPullWorker) {
    this.worker = worker;
  }

  private sweep(ctx: ActorContext): void {
    const now = Date.now();
    for (const [key, p] of this.pulls) {
      if (now - p.lastAsked < IDLE_MS) continue;
      this.pulls.delete(key);
      if (p.fanout) ctx.tell(p.fanout, { type: 'fanout/detach', id: p.sink.id });
    }
  }

  /**
   * A playlist of `key` was asked for on this worker. When the stream lives on another
   * origin, keeps it pulled here and waits (up to `waitMs`) for `file` to exist, so the
   * first request finds a playlist instead of a 404.
   */
  async playlistAsked(
    ctx: ActorContext,
    req: { key: string; file: string; waitMs: number; mwLatencyMs: number; queueMs: number },
  ): Promise<void> {
    const pulls = this.pulls;
    const known = pulls.get(req.key);
    if (known) {
      known.lastAsked = Date.now();
      return;
    }
    if (!(await livesElsewhere(ctx, req.key, this.worker.config).catch(() => false)) || pulls.has(req.key)) return;
    const pull: Pull = { sink: new HlsPullSink(`hls-pull:${req.key}`, () => pulls.delete(req.key)), fanout: null, lastAsked: Date.now() };
    pulls.set(req.key, pull);
    this.sweeper ??= setInterval(() => this.sweep(ctx), IDLE_MS / 3);
    this.sweeper.unref();
    pull.fanout = await ctx.ask<ActorRef>(this.worker.hub, { type: 'hub/attach', key: req.key, sink: pull.sink, mwLatencyMs: req.mwLatencyMs, queueMs: req.queueMs });
    if (pulls.get(req.key) !== pull) ctx.tell(pull.fanout, { type: 'fanout/detach', id: pull.sink.id });
    const deadline = Date.now() + req.waitMs;
    while (!existsSync(req.file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}
