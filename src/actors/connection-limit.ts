// max_connections over the whole server: one Int32 in a SharedArrayBuffer that every
// worker's acceptors count on, so the limit holds however the kernel spreads sockets.

let counter: Int32Array | null = null;
let limit = Infinity;

export function createConnectionCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

export function useConnectionCounter(shared: SharedArrayBuffer, maxConnections: number): void {
  counter = new Int32Array(shared);
  limit = maxConnections;
}

export function setConnectionLimit(maxConnections: number): void {
  limit = maxConnections;
}

/** Counts a new connection, or refuses it (false) when the server is full. */
export function tryOpenConnection(): boolean {
  if (!counter) return true;
  if (Atomics.add(counter, 0, 1) + 1 > limit) {
    Atomics.sub(counter, 0, 1);
    return false;
  }
  return true;
}

export function connectionClosed(): void {
  if (counter) Atomics.sub(counter, 0, 1);
}

export function openConnections(): number {
  return counter ? Atomics.load(counter, 0) : 0;
}
