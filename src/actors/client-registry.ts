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

export function unregisterClient(id: string): void {
  clients.delete(id);
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
