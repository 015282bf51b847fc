// HlsLiveStore: one per worker (spawned by WorkerRoot), the worker's copy of the live
// fmp4 / low_latency HLS streams its viewers watch (hls-live-mirror.ts). A stream is
// followed on demand: the first request on this worker for a stream finds its CmafMuxer in
// the directory (`hls:<vhost/app/stream>`) and has the store subscribe; the muxer then sends
// the whole state once and every change after it. A stream nobody asked for on this worker
// for IDLE_MS is let go. Why copies per worker rather than asking the muxer per request: see
// docs/architecture.md, "LL-HLS: where parts live".

import { registerActor, DIRECTORY_REF, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import { LiveMirror, type LiveUpdate } from './hls-live-mirror.ts';
import type { WorkerServices } from '../worker/worker-services.ts';

export type HlsStoreMsg =
  | { type: 'hls-store/follow'; key: string; muxer: ActorRef }
  | { type: 'hls-store/update'; update: LiveUpdate }
  | { type: 'hls-store/tick' }
  | { type: 'sys/down'; ref: ActorRef };

/** The muxer's side of the protocol (cmaf-muxer.ts). */
export type CmafSubscribeMsg = { type: 'cmaf/subscribe'; store: ActorRef } | { type: 'cmaf/unsubscribe'; store: ActorRef };

const TICK_MS = 100;
const IDLE_MS = 30_000;
const OPEN_TIMEOUT_MS = 2000;

/**
 * A worker's live mirrors (held by its WorkerServices): the acceptor reads them with a
 * plain call, the thread's HlsLiveStore writes them.
 */
export class LiveMirrors {
  readonly mirrors = new Map<string, LiveMirror>();
  readonly opening = new Map<string, { promise: Promise<LiveMirror | null>; resolve: (m: LiveMirror | null) => void }>();
  store: ActorRef | null = null;

  /**
   * The live mirror of `key` on this thread, following the stream first if needed; null
   * when no fmp4 / low_latency muxer runs for it anywhere (the caller falls back to the files).
   */
  open(ctx: ActorContext, key: string): LiveMirror | null | Promise<LiveMirror | null> {
    const m = this.mirrors.get(key);
    if (m !== undefined) {
      m.lastAsked = Date.now();
      return m;
    }
    const pending = this.opening.get(key);
    if (pending !== undefined) return pending.promise;
    if (this.store === null) return null;
    const store = this.store;
    let resolve!: (m: LiveMirror | null) => void;
    const promise = new Promise<LiveMirror | null>((r) => (resolve = r));
    this.opening.set(key, { promise, resolve });
    const done = (v: LiveMirror | null) => {
      if (this.opening.get(key)?.promise !== promise) return;
      this.opening.delete(key);
      resolve(v);
    };
    ctx
      .ask<{ entry: { muxer: ActorRef } | null }>(DIRECTORY_REF, { type: 'dir/lookup', name: `hls:${key}` })
      .then((r) => {
        if (r.entry === null) return done(null);
        ctx.tell(store, { type: 'hls-store/follow', key, muxer: r.entry.muxer } satisfies HlsStoreMsg);
        setTimeout(() => done(this.mirrors.get(key) ?? null), OPEN_TIMEOUT_MS).unref();
      })
      .catch(() => done(null));
    return promise;
  }
}

export class HlsLiveStore implements Actor {
  private readonly live: LiveMirrors;
  private readonly mirrors: Map<string, LiveMirror>;

  constructor(live: LiveMirrors, ctx: ActorContext) {
    this.live = live;
    this.mirrors = live.mirrors;
    live.store = ctx.self;
    ctx.every(TICK_MS, { type: 'hls-store/tick' });
  }

  receive(msg: HlsStoreMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'hls-store/follow':
        ctx.watch(msg.muxer);
        ctx.tell(msg.muxer, { type: 'cmaf/subscribe', store: ctx.self } satisfies CmafSubscribeMsg);
        return undefined;
      case 'hls-store/update': {
        const u = msg.update;
        let m = this.mirrors.get(u.key);
        if (m === undefined) {
          if (!u.snapshot) return undefined; // a change for a stream let go meanwhile
          const entry = this.live.opening.get(u.key);
          m = new LiveMirror(u.key, u.muxer);
          this.mirrors.set(u.key, m);
          m.apply(u);
          if (entry) {
            this.live.opening.delete(u.key);
            entry.resolve(m);
          }
          return undefined;
        }
        m.apply(u);
        return undefined;
      }
      case 'hls-store/tick': {
        const now = Date.now();
        for (const m of this.mirrors.values()) {
          m.expire(now);
          if (now - m.lastAsked > IDLE_MS && m.waiters.size === 0) this.letGo(m, ctx);
        }
        return undefined;
      }
      case 'sys/down':
        for (const m of this.mirrors.values()) {
          if (m.muxerRef !== null && m.muxerRef.worker === msg.ref.worker && m.muxerRef.id === msg.ref.id) {
            this.mirrors.delete(m.key);
            m.close();
          }
        }
        return undefined;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private letGo(m: LiveMirror, ctx: ActorContext): void {
    this.mirrors.delete(m.key);
    if (m.muxerRef !== null) {
      ctx.unwatch(m.muxerRef);
      ctx.tell(m.muxerRef, { type: 'cmaf/unsubscribe', store: ctx.self } satisfies CmafSubscribeMsg);
    }
    m.close();
  }
}

registerActor('hls/live-store', (args: { services: WorkerServices }, ctx: ActorContext) => new HlsLiveStore(args.services.liveMirrors, ctx));
