// RtmpAcceptor: the RTMP listener of one worker. Every worker listens on the same
// ports with reusePort and the kernel spreads the connections; each one becomes an
// RtmpSession actor on this worker.

import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { registerActor, type Actor, type ActorContext } from '../../runtime/index.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import type { SessionArgs } from './rtmp-session.ts';
import type { ListenAddress } from '../../config/types.ts';
import { formatHostPort } from '../../config/formats.ts';
import { listenOutcome, failuresOf, type ListenFailure } from '../worker/listen-outcome.ts';

/** Where an RTMP listener listens: two equal ones listen the same way. */
export interface RtmpListen {
  listen: ListenAddress[];
  /** RTMPS: certificate and key files (PEM); the sessions are the same as plain RTMP. */
  tls?: { cert: string; key: string };
}

export interface AcceptorArgs extends RtmpListen {
  services: WorkerServices;
}

/** `acceptor/ready` answers the addresses that could not be listened on (none: all up). */
export type AcceptorMsg = { type: 'acceptor/close' } | { type: 'acceptor/listening' } | { type: 'acceptor/ready' };

export class RtmpAcceptor implements Actor {
  private readonly servers: net.Server[] = [];
  private readonly outcomes: Promise<ListenFailure | null>[] = [];

  constructor(args: AcceptorArgs, ctx: ActorContext) {
    const onSocket = (socket: net.Socket) => {
      if (!args.services.connections.tryOpen()) {
        ctx.log.warn({ ip: socket.remoteAddress }, 'connection refused: max_connections reached');
        socket.destroy();
        return;
      }
      const session: SessionArgs = { socket, services: args.services };
      ctx.spawn('rtmp/session', session);
    };
    let secure: tls.TlsOptions | null = null;
    if (args.tls) {
      try {
        secure = { cert: readFileSync(args.tls.cert), key: readFileSync(args.tls.key) };
      } catch (err) {
        const reason = `cannot read the certificate or key: ${(err as Error).message}`;
        ctx.log.error({ err: (err as Error).message }, 'rtmps disabled: cannot read the certificate or key');
        for (const addr of args.listen) this.outcomes.push(Promise.resolve({ listen: formatHostPort(addr), reason }));
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
      this.outcomes.push(listenOutcome(server, addr));
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
      case 'acceptor/ready':
        return failuresOf(this.outcomes);
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
