// The name directory, an actor on the main thread at a ref known to every thread. A name has
// one owner; subscribers hear of a name when it appears (even if they asked first) and when
// it goes, which happens by itself when the owner stops or its worker dies.
import { registerActor, threadTagOf } from './registry.ts';
import { sameRef, type Actor, type ActorContext, type ActorRef, type Down } from './types.ts';

export const DIRECTORY_KIND = 'runtime/directory';
/** The directory is the first actor spawned on the main thread by ActorSystem.start(). */
export const DIRECTORY_REF: ActorRef = Object.freeze({ worker: 0, id: 1 });

export interface DirRegisterReq { type: 'dir/register'; name: string; entry: unknown; owner: ActorRef }
/** `subscribers`: how many were already waiting for the name (they are told at once). */
export type DirRegisterRes = { ok: true; subscribers: number } | { ok: false; existing: unknown };
export interface DirUnregisterReq { type: 'dir/unregister'; name: string; owner: ActorRef }
export interface DirUnregisterRes { ok: boolean }
export interface DirLookupReq { type: 'dir/lookup'; name: string }
export interface DirLookupRes { entry: unknown }
export interface DirListReq { type: 'dir/list' }
export type DirListRes = { name: string; entry: unknown; owner: ActorRef }[];
export interface DirSubscribe { type: 'dir/subscribe'; name: string; subscriber: ActorRef }
export interface DirUnsubscribe { type: 'dir/unsubscribe'; name: string; subscriber: ActorRef }
export interface DirAppeared { type: 'dir/appeared'; name: string; entry: unknown }
export interface DirDisappeared { type: 'dir/disappeared'; name: string }

export type DirectoryMsg =
  | DirRegisterReq
  | DirUnregisterReq
  | DirLookupReq
  | DirListReq
  | DirSubscribe
  | DirUnsubscribe
  | Down;

interface NameRecord {
  entry: unknown;
  owner: ActorRef;
}

const key = (r: ActorRef): string => `${r.worker}/${r.id}`;

/** Told once per thread that died holding or following names: its tag and every entry then. */
export type ThreadLostHook = (tag: number, entries: unknown[]) => void;
let threadLost: ThreadLostHook | null = null;

/**
 * Lets the main thread give back what a dead worker held in structures its entries
 * point at (a media chain's shares, for the server), since that thread never will.
 * The entries passed include the dead thread's own, before they are dropped.
 */
export function onOwnerThreadLost(hook: ThreadLostHook | null): void {
  threadLost = hook;
}

export class Directory implements Actor {
  private readonly names = new Map<string, NameRecord>();
  private readonly subs = new Map<string, ActorRef[]>();
  /** Actors we watch (owners and subscribers) -> how many names they hold or follow. */
  private readonly watched = new Map<string, number>();
  /** Thread tags already reported to the ThreadLostHook. */
  private readonly lostThreads = new Set<number>();

  receive(msg: DirectoryMsg, ctx: ActorContext): unknown {
    switch (msg.type) {
      case 'dir/register': {
        const cur = this.names.get(msg.name);
        if (cur !== undefined && !sameRef(cur.owner, msg.owner)) return { ok: false, existing: cur.entry };
        this.names.set(msg.name, { entry: msg.entry, owner: msg.owner });
        if (cur === undefined) this.follow(msg.owner, ctx);
        this.notify(msg.name, { type: 'dir/appeared', name: msg.name, entry: msg.entry }, ctx);
        return { ok: true, subscribers: this.subs.get(msg.name)?.length ?? 0 };
      }
      case 'dir/unregister': {
        const cur = this.names.get(msg.name);
        if (cur === undefined || !sameRef(cur.owner, msg.owner)) return { ok: false };
        this.drop(msg.name, cur.owner, ctx);
        return { ok: true };
      }
      case 'dir/lookup':
        return { entry: this.names.get(msg.name)?.entry ?? null };
      case 'dir/list':
        return [...this.names].map(([name, r]) => ({ name, entry: r.entry, owner: r.owner }));
      case 'dir/subscribe': {
        const list = this.subs.get(msg.name) ?? [];
        if (!list.some((r) => sameRef(r, msg.subscriber))) {
          list.push(msg.subscriber);
          this.subs.set(msg.name, list);
          this.follow(msg.subscriber, ctx);
        }
        const cur = this.names.get(msg.name);
        if (cur !== undefined) ctx.tell(msg.subscriber, { type: 'dir/appeared', name: msg.name, entry: cur.entry });
        return undefined;
      }
      case 'dir/unsubscribe': {
        const list = this.subs.get(msg.name);
        const i = list?.findIndex((r) => sameRef(r, msg.subscriber)) ?? -1;
        if (i >= 0) {
          list!.splice(i, 1);
          if (list!.length === 0) this.subs.delete(msg.name);
          this.unfollow(msg.subscriber, ctx);
        }
        return undefined;
      }
      case 'sys/down':
        if (msg.reason === 'worker-died') this.threadLost(msg.ref);
        this.gone(msg.ref, ctx);
        return undefined;
      default:
        msg satisfies never;
        return undefined;
    }
  }

  private threadLost(ref: ActorRef): void {
    const tag = threadTagOf(ref);
    if (threadLost === null || this.lostThreads.has(tag)) return;
    this.lostThreads.add(tag);
    threadLost(tag, [...this.names.values()].map((r) => r.entry));
  }

  private drop(name: string, owner: ActorRef, ctx: ActorContext): void {
    this.names.delete(name);
    this.unfollow(owner, ctx);
    this.notify(name, { type: 'dir/disappeared', name }, ctx);
  }

  private gone(ref: ActorRef, ctx: ActorContext): void {
    this.watched.delete(key(ref));
    for (const [name, r] of [...this.names]) {
      if (!sameRef(r.owner, ref)) continue;
      this.names.delete(name);
      this.notify(name, { type: 'dir/disappeared', name }, ctx);
    }
    for (const [name, list] of [...this.subs]) {
      const rest = list.filter((r) => !sameRef(r, ref));
      if (rest.length === 0) this.subs.delete(name);
      else if (rest.length !== list.length) this.subs.set(name, rest);
    }
  }

  private notify(name: string, msg: DirAppeared | DirDisappeared, ctx: ActorContext): void {
    const list = this.subs.get(name);
    if (list !== undefined) for (const s of list) ctx.tell(s, msg);
  }

  private follow(ref: ActorRef, ctx: ActorContext): void {
    const k = key(ref);
    const n = this.watched.get(k) ?? 0;
    this.watched.set(k, n + 1);
    if (n === 0) ctx.watch(ref);
  }

  private unfollow(ref: ActorRef, ctx: ActorContext): void {
    const k = key(ref);
    const n = this.watched.get(k);
    if (n === undefined) return;
    if (n > 1) this.watched.set(k, n - 1);
    else {
      this.watched.delete(k);
      ctx.unwatch(ref);
    }
  }
}

registerActor(DIRECTORY_KIND, () => new Directory());
