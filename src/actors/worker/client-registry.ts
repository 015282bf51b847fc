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

/** One worker's registry; the WorkerServices of the thread holds it. */
export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>();
  // Bytes of connections that have ended, so /metrics can count totals that only grow.
  private readonly closedBytes = { sent: 0, received: 0 };

  register(id: string, client: RegisteredClient): void {
    this.clients.set(id, client);
  }

  unregister(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    this.clients.delete(id);
    const last = c.describe();
    this.closedBytes.sent += last.sendBytes;
    this.closedBytes.received += last.recvBytes;
  }

  /** Bytes sent to and received from clients of this thread since it started. */
  trafficTotals(): { sentBytes: number; receivedBytes: number } {
    let sent = this.closedBytes.sent;
    let received = this.closedBytes.received;
    for (const c of this.clients.values()) {
      const d = c.describe();
      sent += d.sendBytes;
      received += d.recvBytes;
    }
    return { sentBytes: sent, receivedBytes: received };
  }

  list(): ClientInfo[] {
    return [...this.clients.values()].map((c) => c.describe());
  }

  kick(id: string): boolean {
    const c = this.clients.get(id);
    if (!c) return false;
    c.kick();
    return true;
  }

  get size(): number {
    return this.clients.size;
  }
}
