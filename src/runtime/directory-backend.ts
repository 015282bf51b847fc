// Where the shared directory keeps what several processes must agree on: names held
// by one value at a time (claimed only if absent, expiring unless refreshed, so a
// process that dies lets go by itself) and a registry of live members. The runtime
// knows the interface and an in-process store; a store shared between machines
// (Redis: directory-redis.ts) plugs in through the same interface. Values are strings:
// the runtime never interprets them.

export type ClaimResult = { ok: true } | { ok: false; holder: string };

export interface BackendEntry {
  key: string;
  value: string;
}

export interface DirectoryBackend {
  /** name -> value when the name is free (or already holds value), expiring after ttlMs. */
  claim(name: string, value: string, ttlMs: number): Promise<ClaimResult>;
  /**
   * Keeps name -> value another ttlMs. A name that vanished (the store restarted empty)
   * is claimed again; false when another value holds it.
   */
  refresh(name: string, value: string, ttlMs: number): Promise<boolean>;
  /** Removes name, only if it still holds value. */
  release(name: string, value: string): Promise<void>;
  lookup(name: string): Promise<string | null>;
  list(): Promise<BackendEntry[]>;
  /** This member is alive with `info` for ttlMs (called again to stay alive). */
  announce(member: string, info: string, ttlMs: number): Promise<void>;
  withdraw(member: string): Promise<void>;
  members(): Promise<BackendEntry[]>;
  /** False while the store cannot be reached: calls then fail at once. */
  readonly available: boolean;
  /** Told true each time the store is reached again, false when it is lost. */
  onAvailability(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

interface Held {
  value: string;
  expires: number;
}

/** The default store: one process's memory (embedders, tests, a single origin). */
export class MemoryDirectoryBackend implements DirectoryBackend {
  readonly available = true;
  private readonly names = new Map<string, Held>();
  private readonly live = new Map<string, Held>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private get(map: Map<string, Held>, key: string): Held | undefined {
    const h = map.get(key);
    if (h !== undefined && h.expires <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return h;
  }

  private all(map: Map<string, Held>): BackendEntry[] {
    const out: BackendEntry[] = [];
    for (const key of [...map.keys()]) {
      const h = this.get(map, key);
      if (h) out.push({ key, value: h.value });
    }
    return out;
  }

  async claim(name: string, value: string, ttlMs: number): Promise<ClaimResult> {
    const h = this.get(this.names, name);
    if (h !== undefined && h.value !== value) return { ok: false, holder: h.value };
    this.names.set(name, { value, expires: this.now() + ttlMs });
    return { ok: true };
  }

  async refresh(name: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.claim(name, value, ttlMs)).ok;
  }

  async release(name: string, value: string): Promise<void> {
    if (this.get(this.names, name)?.value === value) this.names.delete(name);
  }

  async lookup(name: string): Promise<string | null> {
    return this.get(this.names, name)?.value ?? null;
  }

  async list(): Promise<BackendEntry[]> {
    return this.all(this.names);
  }

  async announce(member: string, info: string, ttlMs: number): Promise<void> {
    this.live.set(member, { value: info, expires: this.now() + ttlMs });
  }

  async withdraw(member: string): Promise<void> {
    this.live.delete(member);
  }

  async members(): Promise<BackendEntry[]> {
    return this.all(this.live);
  }

  onAvailability(): void {
    // Always available: nothing to tell.
  }

  async close(): Promise<void> {}
}
