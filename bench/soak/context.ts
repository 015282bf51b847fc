// What every churn loop of the soak shares: where the server is, the stop flag, the
// counters of what was cycled, and the set of live client handles, so that the end of
// the run can drop every connection it opened.

export interface SoakTarget {
  host: string;
  rtmpPort: number;
  httpPort: number;
  apiPort: number;
  app: string;
  /** Stream names are `s0` .. `s{streams-1}`. */
  streams: number;
}

export class SoakContext {
  readonly target: SoakTarget;
  readonly counts = new Map<string, number>();
  // Each entry drops one live connection or child process at once.
  private readonly live = new Set<() => void>();
  private stopped = false;
  private readonly stopWaiters = new Set<() => void>();

  constructor(target: SoakTarget) {
    this.target = target;
  }

  get stopping(): boolean {
    return this.stopped;
  }

  count(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Registers a way to drop a connection; call the returned function once it is gone. */
  track(drop: () => void): () => void {
    this.live.add(drop);
    return () => this.live.delete(drop);
  }

  get liveHandles(): number {
    return this.live.size;
  }

  rtmpUrl(): string {
    return `rtmp://${this.target.host}:${this.target.rtmpPort}/${this.target.app}`;
  }

  httpUrl(path: string): string {
    return `http://${this.target.host}:${this.target.httpPort}/${path}`;
  }

  /** Sleeps `ms`, or less when the run stops meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    ms = Math.max(0, ms);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.stopWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.stopWaiters.add(done);
    });
  }

  /** Stops every loop and drops every tracked connection. */
  stop(): void {
    this.stopped = true;
    for (const w of [...this.stopWaiters]) w();
    for (const drop of [...this.live]) {
      try {
        drop();
      } catch {
        // already gone
      }
    }
    this.live.clear();
  }
}

export function randInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (Math.random() * 256) | 0;
  return b;
}
