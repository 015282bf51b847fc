// Relaying one accepted connection to a server on 127.0.0.1, so a test can stand between
// a client and a server and cut the connection when it likes.
import net from 'node:net';

/** Pipes `inbound` to `port` and back; both sockets stay in `sockets` until either closes, which closes both. */
export function relayTo(inbound: net.Socket, port: number, sockets: Set<net.Socket>): void {
  const outbound = net.connect(port, '127.0.0.1');
  for (const s of [inbound, outbound]) {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      inbound.destroy();
      outbound.destroy();
    });
  }
  inbound.pipe(outbound).pipe(inbound);
}
