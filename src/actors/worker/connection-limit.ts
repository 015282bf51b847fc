// max_connections over the whole server: one Int32 in a SharedArrayBuffer that every
// worker's acceptors count on, so the limit holds however the kernel spreads sockets.

export function createConnectionCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

/** One worker's view of the server-wide connection count (no counter: no limit). */
export class ConnectionLimit {
  private readonly counter: Int32Array | null;
  private limit: number;

  constructor(shared: SharedArrayBuffer | null, maxConnections: number) {
    this.counter = shared ? new Int32Array(shared) : null;
    this.limit = maxConnections;
  }

  setLimit(maxConnections: number): void {
    this.limit = maxConnections;
  }

  /** Counts a new connection, or refuses it (false) when the server is full. */
  tryOpen(): boolean {
    const counter = this.counter;
    if (!counter) return true;
    if (Atomics.add(counter, 0, 1) + 1 > this.limit) {
      Atomics.sub(counter, 0, 1);
      return false;
    }
    return true;
  }

  closed(): void {
    if (this.counter) Atomics.sub(this.counter, 0, 1);
  }

  open(): number {
    return this.counter ? Atomics.load(this.counter, 0) : 0;
  }
}
