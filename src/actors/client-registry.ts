// The connections of this thread, for the API and kicks: each session or viewer
// registers a describe() function; the worker's control plane lists them on demand.

export type ClientType = 'fmle-publish' | 'flash-publish' | 'rtmp-play' | 'flv-play' | 'hls-play' | 'rtmp-connect';

export interface ClientInfo {
  id: string;
  ip: string;
  vhost: string;
  app: string;
  stream: string;
  param: string;
  tcUrl: string;
  pageUrl: string;
  swfUrl: string;
  type: ClientType;
  publish: boolean;
  alive: number;
  sendBytes: number;
  recvBytes: number;
  streamKey: string;
}

export interface RegisteredClient {
  describe(): ClientInfo;
  kick(): void;
}

const clients = new Map<string, RegisteredClient>();

export function registerClient(id: string, client: RegisteredClient): void {
  clients.set(id, client);
}

// Bytes of connections that have ended, so /metrics can count totals that only grow.
const closedBytes = { sent: 0, received: 0 };

export function unregisterClient(id: string): void {
  const c = clients.get(id);
  if (!c) return;
  clients.delete(id);
  const last = c.describe();
  closedBytes.sent += last.sendBytes;
  closedBytes.received += last.recvBytes;
}

/** Bytes sent to and received from clients of this thread since it started. */
export function trafficTotals(): { sentBytes: number; receivedBytes: number } {
  let sent = closedBytes.sent;
  let received = closedBytes.received;
  for (const c of clients.values()) {
    const d = c.describe();
    sent += d.sendBytes;
    received += d.recvBytes;
  }
  return { sentBytes: sent, receivedBytes: received };
}

export function listClients(): ClientInfo[] {
  return [...clients.values()].map((c) => c.describe());
}

export function kickClient(id: string): boolean {
  const c = clients.get(id);
  if (!c) return false;
  c.kick();
  return true;
}

export function clientCount(): number {
  return clients.size;
}
