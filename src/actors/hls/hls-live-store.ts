// HlsLiveStore: one per worker (spawned by WorkerRoot), the worker's copy of the live
// fmp4 / low_latency HLS streams its viewers watch (hls-live-mirror.ts). A stream is
// followed on demand: the first request on this worker for a stream finds its CmafMuxer in
// the directory (`hls:<vhost/app/stream>`) and has the store subscribe; the muxer then sends
// the whole state once and every change after it. A stream nobody asked for on this worker
// for IDLE_MS is let go. Why copies per worker rather than asking the muxer per request: see
// docs/architecture.md, "LL-HLS: where parts live".

import { registerActor, DIRECTORY_REF, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import { LiveMirror, type LiveUpdate } from './hls-live-mirror.ts';

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

// Per thread: the acceptor reads mirrors with a plain call, the store writes them.
const mirrors = new Map<string, LiveMirror>();
const opening = new Map<string, { promise: Promise<LiveMirror | null>; resolve: (m: LiveMirror | null) => void }>();
let storeRef: ActorRef | null = null;

/**
 * The live mirror of `key` on this thread, following the stream first if needed; null when
 * no fmp4 / low_latency muxer runs for it anywhere (the caller falls back to the files).
 */
export function liveMirror(ctx: ActorContext, key: string): LiveMirror | null | Promise<LiveMirror | null> {
  const m = mirrors.get(key);
  if (m !== undefined) {
    m.lastAsked = Date.now();
    return m;
  }
  const pending = opening.get(key);
  if (pending !== undefined) return pending.promise;
  if (storeRef === null) return null;
  const store = storeRef;
  let resolve!: (m: LiveMirror | null) => void;
  const promise = new Promise<LiveMirror | null>((r) => (resolve = r));
  opening.set(key, { promise, resolve });
  const done = (v: LiveMirror | null) => {
    if (opening.get(key)?.promise !== promise) return;
    opening.delete(key);
    resolve(v);
  };
  ctx
    .ask<{ entry: { muxer: ActorRef } | null }>(DIRECTORY_REF, { type: 'dir/lookup', name: `hls:${key}` })
    .then((r) => {
      if (r.entry === null) return done(null);
      ctx.tell(store, { type: 'hls-store/follow', key, muxer: r.entry.muxer } satisfies HlsStoreMsg);
      setTimeout(() => done(mirrors.get(key) ?? null), OPEN_TIMEOUT_MS).unref();
    })
    .catch(() => done(null));
  return promise;
}

export class HlsLiveStore implements Actor {
  constructor(ctx: ActorContext) {
    storeRef = ctx.self;
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
        let m = mirrors.get(u.key);
        if (m === undefined) {
          if (!u.snapshot) return undefined; // a change for a stream let go meanwhile
          const entry = opening.get(u.key);
          m = new LiveMirror(u.key, u.muxer);
          mirrors.set(u.key, m);
          m.apply(u);
          if (entry) {
            opening.delete(u.key);
            entry.resolve(m);
          }
          return undefined;
        }
        m.apply(u);
        return undefined;
      }
      case 'hls-store/tick': {
        const now = Date.now();
        for (const m of mirrors.values()) {
          m.expire(now);
          if (now - m.lastAsked > IDLE_MS && m.waiters.size === 0) this.letGo(m, ctx);
        }
        return undefined;
      }
      case 'sys/down':
        for (const m of mirrors.values()) {
          if (m.muxerRef !== null && m.muxerRef.worker === msg.ref.worker && m.muxerRef.id === msg.ref.id) {
            mirrors.delete(m.key);
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
    mirrors.delete(m.key);
    if (m.muxerRef !== null) {
      ctx.unwatch(m.muxerRef);
      ctx.tell(m.muxerRef, { type: 'cmaf/unsubscribe', store: ctx.self } satisfies CmafSubscribeMsg);
    }
    m.close();
  }
}

registerActor('hls/live-store', (_args: unknown, ctx: ActorContext) => new HlsLiveStore(ctx));
