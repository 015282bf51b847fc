// A fixed 127.0.0.1 port in front of a test server whose port changes with each start
// (the harness picks ports itself): it listens only while a target is set, so
// connections are refused otherwise, and cuts the open ones when the target changes.
import net from 'node:net';
import { freePort } from '../helpers/server.ts';
import { relayTo } from '../helpers/tcp-relay.ts';

export class Relay {
  readonly port: number;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  private constructor(port: number) {
    this.port = port;
  }

  static async create(): Promise<Relay> {
    return new Relay(await freePort());
  }

  async to(target: number | null): Promise<void> {
    if (this.server) {
      for (const s of this.sockets) s.destroy();
      const srv = this.server;
      this.server = null;
      await new Promise<void>((r) => srv.close(() => r()));
    }
    if (target === null) return;
    const srv = net.createServer((inbound) => relayTo(inbound, target, this.sockets));
    this.server = srv;
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', () => r()));
  }
}
