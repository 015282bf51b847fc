// Is an address free? Asked of the kernel itself: bind it without SO_REUSEPORT and see.
// A bind without SO_REUSEPORT conflicts with any socket already bound to an overlapping
// address and port, whoever holds it and however it was opened, so EADDRINUSE here
// means "held by someone" (see docs/architecture.md, "Ports belong to one server").

import net from 'node:net';
import type { ListenAddress } from '../config/types.ts';

/** Null when `addr` could be bound (and is released again), else the bind's error. */
export function probeListen(addr: ListenAddress): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host: addr.host, port: addr.port, backlog: 1 }, () => {
      server.close(() => resolve(null));
    });
  });
}
