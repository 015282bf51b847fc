// The shared directory's store in Redis (ioredis), as SRS's proxy and OvenMediaEngine's
// OriginMapStore keep theirs: `<prefix><names><name> -> value` set with NX and PX, kept
// alive by the holder, deleted only by the holder; `<prefix><members><member> -> info`
// with an expiry. Nothing here knows what a name means.
//
// Why these ioredis settings: commands must fail at once while Redis is away (no
// offline queue, one attempt, a command timeout), because the directory answers
// publishes and plays and must never hold them for a reconnect; ioredis reconnects by
// itself in the background, and the directory re-registers on `ready`.

import { Redis } from 'ioredis';
import type { BackendEntry, ClaimResult, DirectoryBackend } from './directory-backend.ts';

export interface RedisBackendOptions {
  /** redis://[user:pass@]host[:port][/db] */
  url: string;
  keyPrefix: string;
  /** Key infixes, so an operator reading Redis sees what the names are. */
  namesInfix?: string;
  membersInfix?: string;
  commandTimeoutMs?: number;
}

// Extends a name we hold; sets it again when it vanished (Redis restarted without data).
const REFRESH = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

// Deletes a name only while it holds our value (it may have expired and been taken).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Escapes SCAN's glob characters in a literal prefix. */
function globLiteral(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export class RedisDirectoryBackend implements DirectoryBackend {
  private readonly redis: Redis;
  private readonly names: string;
  private readonly live: string;
  private readonly listeners: ((up: boolean) => void)[] = [];
  private up = false;
  private closed = false;

  constructor(o: RedisBackendOptions) {
    this.names = `${o.keyPrefix}${o.namesInfix ?? 'name:'}`;
    this.live = `${o.keyPrefix}${o.membersInfix ?? 'member:'}`;
    this.redis = new Redis(o.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 1000,
      connectTimeout: 2000,
      // Forever, at most every 2 s: Redis coming back is noticed within that.
      retryStrategy: (times) => Math.min(200 * times, 2000),
      lazyConnect: false,
    });
    this.redis.on('ready', () => this.setUp(true));
    this.redis.on('close', () => this.setUp(false));
    this.redis.on('error', () => {}); // every failed reconnect; 'close' already told
  }

  private setUp(up: boolean): void {
    if (up === this.up || this.closed) return;
    this.up = up;
    for (const l of this.listeners) l(up);
  }

  get available(): boolean {
    return this.up;
  }

  onAvailability(listener: (up: boolean) => void): void {
    this.listeners.push(listener);
  }

  async claim(name: string, value: string, ttlMs: number): Promise<ClaimResult> {
    const key = this.names + name;
    if ((await this.redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK') return { ok: true };
    // Held: by us in an earlier life (a restart within ttl) we take it back, else refused.
    return (await this.refresh(name, value, ttlMs)) ? { ok: true } : { ok: false, holder: (await this.redis.get(key)) ?? '' };
  }

  async refresh(name: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(REFRESH, 1, this.names + name, value, ttlMs)) === 1;
  }

  async release(name: string, value: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.names + name, value);
  }

  async lookup(name: string): Promise<string | null> {
    return this.redis.get(this.names + name);
  }

  async list(): Promise<BackendEntry[]> {
    return this.scan(this.names);
  }

  async announce(member: string, info: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.live + member, info, 'PX', ttlMs);
  }

  async withdraw(member: string): Promise<void> {
    await this.redis.del(this.live + member);
  }

  async members(): Promise<BackendEntry[]> {
    return this.scan(this.live);
  }

  /** Every key under prefix (SCAN, so a large directory never blocks Redis) and its value. */
  private async scan(prefix: string): Promise<BackendEntry[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${globLiteral(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    const out: BackendEntry[] = [];
    keys.forEach((k, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) out.push({ key: k.slice(prefix.length), value: v });
    });
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
