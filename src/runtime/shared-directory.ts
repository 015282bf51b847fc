// The shared directory: the part of the directory that several processes see, kept in
// a pluggable store (directory-backend.ts; in-process by default, Redis when the
// embedder plugs it in). An actor on the main thread at a ref every thread knows.
//
// A name is claimed for an owner actor anywhere in this process; the claim lives while
// the owner does: it is refreshed every ttl/3, released when the owner stops or its
// worker dies, and registered again by itself when the store comes back after an
// outage (a restarted Redis has forgotten everything). While the store is away, claims
// are still granted locally (local work must go on) and stored once it returns;
// lookups then answer `available: false`. This process is also a member of the
// directory's registry, announced with its latest info on the same rhythm.
//
// Store calls are awaited inside receive on purpose: they are short, ordered (a release
// never overtakes its claim), and fail within the store's command timeout when it is
// away; the local name directory (directory.ts) is another actor and never waits here.

import { registerActor } from './registry.ts';
import { sameRef, type Actor, type ActorContext, type ActorRef, type Down } from './types.ts';
import { MemoryDirectoryBackend, type BackendEntry, type DirectoryBackend } from './directory-backend.ts';

export const SHARED_DIRECTORY_KIND = 'runtime/shared-directory';
/** Spawned second on the main thread by ActorSystem.start(), after the directory. */
export const SHARED_DIRECTORY_REF: ActorRef = Object.freeze({ worker: 0, id: 2 });

export interface SharedDirectoryOptions {
  /** Default: a MemoryDirectoryBackend (this process only). */
  backend?: DirectoryBackend;
  /** How long a claim or an announcement lives unless refreshed (default 10 s). */
  ttlMs?: number;
  /** This process's name in the member registry; none: not a member. */
  member?: string;
}

export interface SdirClaimReq { type: 'sdir/claim'; name: string; value: string; owner: ActorRef }
/** `stored: false`: granted here, written to the store once it is reachable. */
export type SdirClaimRes = { ok: true; stored: boolean } | { ok: false; holder: string };
export interface SdirReleaseReq { type: 'sdir/release'; name: string; owner: ActorRef }
export interface SdirLookupReq { type: 'sdir/lookup'; name: string }
export interface SdirLookupRes { value: string | null; available: boolean }
export interface SdirListReq { type: 'sdir/list' }
export interface SdirListRes {
  available: boolean;
  member: string | null;
  names: BackendEntry[];
  members: { member: string; info: unknown }[];
}
/** This member's info (any JSON value), announced from now on. */
export interface SdirInfo { type: 'sdir/info'; info: unknown }
/** Releases every claim and leaves the registry (a graceful stop); answers when done. */
export interface SdirLeaveReq { type: 'sdir/leave' }

export type SharedDirectoryMsg =
  | SdirClaimReq
  | SdirReleaseReq
  | SdirLookupReq
  | SdirListReq
  | SdirInfo
  | SdirLeaveReq
  | { type: 'sdir/tick' }
  | { type: 'sdir/availability'; up: boolean }
  | Down;

interface Claim {
  value: string;
  owner: ActorRef;
  /** Written to the store (false while it was away, or lost to another holder). */
  stored: boolean;
}

const DEFAULT_TTL_MS = 10_000;
/**
 * A store answer is reused this long: a thousand players joining a stream at once cost one
 * store round trip, not a thousand serial ones. Short next to the ttl and to how often a
 * waiting reader asks again (a second).
 */
const LOOKUP_CACHE_MS = 500;

export class SharedDirectory implements Actor {
  private readonly backend: DirectoryBackend;
  private readonly ttlMs: number;
  private readonly member: string | null;
  /** This member's info as announced; null until given (a member without info is not listed). */
  private info: string | null = null;
  private readonly claims = new Map<string, Claim>();
  /** Owners watched -> how many claims they hold. */
  private readonly owners = new Map<string, number>();
  private leaving = false;
  private readonly cache = new Map<string, { value: string | null; at: number }>();

  constructor(opts: SharedDirectoryOptions | undefined, ctx: ActorContext) {
    this.backend = opts?.backend ?? new MemoryDirectoryBackend();
    this.ttlMs = opts?.ttlMs ?? DEFAULT_TTL_MS;
    this.member = opts?.member ?? null;
    const self = ctx.self;
    this.backend.onAvailability((up) => ctx.tell(self, { type: 'sdir/availability', up }));
    ctx.every(Math.max(100, Math.floor(this.ttlMs / 3)), { type: 'sdir/tick' });
    ctx.tell(self, { type: 'sdir/tick' });
  }

  async receive(msg: SharedDirectoryMsg, ctx: ActorContext): Promise<unknown> {
    switch (msg.type) {
      case 'sdir/claim':
        return this.claim(msg, ctx);
      case 'sdir/release': {
        const c = this.claims.get(msg.name);
        if (c && sameRef(c.owner, msg.owner)) await this.drop(msg.name, c, ctx);
        return undefined;
      }
      case 'sdir/lookup':
        return this.lookup(msg.name);
      case 'sdir/list':
        return this.list();
      case 'sdir/info': {
        const first = this.info === null;
        this.info = JSON.stringify(msg.info ?? {});
        if (first) await this.announce(ctx); // others see us at once, not a tick later
        return undefined;
      }
      case 'sdir/leave':
        return this.leave(ctx);
      case 'sdir/tick':
        await this.refreshAll(ctx);
        return undefined;
      case 'sdir/availability':
        if (msg.up) {
          ctx.log.info({ claims: this.claims.size }, 'shared directory reachable: registering again');
          await this.refreshAll(ctx);
        } else {
          ctx.log.warn({ claims: this.claims.size }, 'shared directory unreachable: local claims kept, remote lookups refused');
          for (const c of this.claims.values()) c.stored = false;
        }
        return undefined;
      case 'sys/down':
        for (const [name, c] of [...this.claims]) if (sameRef(c.owner, msg.ref)) await this.drop(name, c, ctx);
        return undefined;
      default:
        msg satisfies never;
        return undefined;
    }
  }

  private async claim(msg: SdirClaimReq, ctx: ActorContext): Promise<SdirClaimRes> {
    const cur = this.claims.get(msg.name);
    if (cur !== undefined) {
      // Held in this process already: by another owner it is busy, as it would be anywhere.
      return sameRef(cur.owner, msg.owner) ? { ok: true, stored: cur.stored } : { ok: false, holder: cur.value };
    }
    let stored = false;
    if (this.backend.available && !this.leaving) {
      try {
        const res = await this.backend.claim(msg.name, msg.value, this.ttlMs);
        if (!res.ok) return res;
        stored = true;
      } catch (err) {
        ctx.log.warn({ name: msg.name, err: (err as Error).message }, 'shared directory claim failed: granted locally');
      }
    }
    this.claims.set(msg.name, { value: msg.value, owner: msg.owner, stored });
    this.cache.delete(msg.name);
    this.follow(msg.owner, ctx);
    return { ok: true, stored };
  }

  private async lookup(name: string): Promise<SdirLookupRes> {
    const c = this.claims.get(name);
    if (c) return { value: c.value, available: true };
    if (!this.backend.available) return { value: null, available: false };
    const now = Date.now();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < LOOKUP_CACHE_MS) return { value: hit.value, available: true };
    try {
      const value = await this.backend.lookup(name);
      this.cache.set(name, { value, at: now });
      return { value, available: true };
    } catch {
      return { value: null, available: false };
    }
  }

  private async list(): Promise<SdirListRes> {
    const res: SdirListRes = { available: this.backend.available, member: this.member, names: [], members: [] };
    if (!res.available) {
      res.names = [...this.claims].map(([key, c]) => ({ key, value: c.value }));
      return res;
    }
    try {
      const [names, members] = await Promise.all([this.backend.list(), this.backend.members()]);
      res.names = names;
      res.members = members.map((m) => ({ member: m.key, info: parseInfo(m.value) }));
    } catch {
      res.available = false;
    }
    return res;
  }

  /** Every claim kept alive (or stored again), and this member announced. */
  private async refreshAll(ctx: ActorContext): Promise<void> {
    const now = Date.now();
    for (const [name, hit] of this.cache) if (now - hit.at >= LOOKUP_CACHE_MS) this.cache.delete(name);
    if (!this.backend.available || this.leaving) return;
    const work: Promise<void>[] = [];
    for (const [name, c] of this.claims) {
      work.push(this.backend.refresh(name, c.value, this.ttlMs).then((held) => {
        if (!held && c.stored) ctx.log.warn({ name, value: c.value }, 'shared directory: name held by another member; kept locally');
        if (!held) c.stored = false;
        else c.stored = true;
      }));
    }
    if (this.member !== null && this.info !== null) work.push(this.backend.announce(this.member, this.info, this.ttlMs));
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) ctx.log.debug({ err: String((failed as PromiseRejectedResult).reason) }, 'shared directory refresh failed');
  }

  private async announce(ctx: ActorContext): Promise<void> {
    if (this.member === null || this.info === null || !this.backend.available || this.leaving) return;
    await this.backend.announce(this.member, this.info, this.ttlMs).catch((err: Error) => ctx.log.debug({ err: err.message }, 'shared directory announce failed'));
  }

  private async drop(name: string, c: Claim, ctx: ActorContext): Promise<void> {
    this.claims.delete(name);
    this.cache.delete(name);
    this.unfollow(c.owner, ctx);
    if (!this.backend.available) return; // it expires by itself
    await this.backend.release(name, c.value).catch(() => undefined);
  }

  private async leave(ctx: ActorContext): Promise<void> {
    this.leaving = true;
    const claims = [...this.claims];
    this.claims.clear();
    if (this.backend.available) {
      await Promise.allSettled([
        ...claims.map(([name, c]) => this.backend.release(name, c.value)),
        ...(this.member !== null ? [this.backend.withdraw(this.member)] : []),
      ]);
    }
    await this.backend.close().catch(() => undefined);
    for (const [, c] of claims) this.unfollow(c.owner, ctx);
  }

  private follow(ref: ActorRef, ctx: ActorContext): void {
    const k = `${ref.worker}/${ref.id}`;
    const n = this.owners.get(k) ?? 0;
    this.owners.set(k, n + 1);
    if (n === 0) ctx.watch(ref);
  }

  private unfollow(ref: ActorRef, ctx: ActorContext): void {
    const k = `${ref.worker}/${ref.id}`;
    const n = this.owners.get(k);
    if (n === undefined) return;
    if (n > 1) this.owners.set(k, n - 1);
    else {
      this.owners.delete(k);
      ctx.unwatch(ref);
    }
  }

  stopped(): void {
    // Not a graceful leave (that is sdir/leave): the store's expiry cleans up.
    if (!this.leaving) void this.backend.close().catch(() => undefined);
  }
}

function parseInfo(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

registerActor(SHARED_DIRECTORY_KIND, (opts: SharedDirectoryOptions | undefined, ctx: ActorContext) => new SharedDirectory(opts, ctx));
