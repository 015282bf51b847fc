// RtmpAcceptor: the RTMP listener of one worker. Every worker listens on the same
// ports with reusePort and the kernel spreads the connections; each one becomes an
// RtmpSession actor on this worker.

import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { registerActor, type Actor, type ActorContext } from '../runtime/index.ts';
import { tryOpenConnection } from './connection-limit.ts';
import type { ListenAddress } from '../config/types.ts';

export interface AcceptorArgs {
  listen: ListenAddress[];
  /** RTMPS: certificate and key files (PEM); the sessions are the same as plain RTMP. */
  tls?: { cert: string; key: string };
}

export type AcceptorMsg = { type: 'acceptor/close' } | { type: 'acceptor/listening' };

export class RtmpAcceptor implements Actor {
  private readonly servers: net.Server[] = [];

  constructor(args: AcceptorArgs, ctx: ActorContext) {
    const onSocket = (socket: net.Socket) => {
      if (!tryOpenConnection()) {
        ctx.log.warn({ ip: socket.remoteAddress }, 'connection refused: max_connections reached');
        socket.destroy();
        return;
      }
      ctx.spawn('rtmp/session', { socket });
    };
    let secure: tls.TlsOptions | null = null;
    if (args.tls) {
      try {
        secure = { cert: readFileSync(args.tls.cert), key: readFileSync(args.tls.key) };
      } catch (err) {
        ctx.log.error({ err: (err as Error).message }, 'rtmps disabled: cannot read the certificate or key');
        return;
      }
    }
    for (const addr of args.listen) {
      const server = secure
        ? tls.createServer({ ...secure, handshakeTimeout: 10_000 }, onSocket)
        : net.createServer({ noDelay: true }, onSocket);
      if (secure) {
        server.on('tlsClientError', (err, socket) => {
          ctx.log.warn({ ip: socket.remoteAddress, reason: err.message }, 'rtmps handshake failed');
        });
      }
      server.on('error', (err) => {
        ctx.log.error({ err: err.message, port: addr.port }, 'rtmp listener failed');
      });
      server.listen({ port: addr.port, host: addr.host ?? undefined, reusePort: true, backlog: 4096 });
      this.servers.push(server);
    }
  }

  receive(msg: AcceptorMsg): unknown {
    switch (msg.type) {
      case 'acceptor/close':
        this.closeAll();
        return undefined;
      case 'acceptor/listening':
        return this.servers.every((s) => s.listening);
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private closeAll(): void {
    for (const s of this.servers) s.close();
  }

  stopped(): void {
    this.closeAll();
  }
}

registerActor('rtmp/acceptor', (args: AcceptorArgs, ctx: ActorContext) => new RtmpAcceptor(args, ctx));
