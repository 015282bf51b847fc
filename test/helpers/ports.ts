// Ports on 127.0.0.1 for servers that tests and benchmarks start: a free one, and
// waiting until a server accepts on one (or has died trying).
import net from 'node:net';

// Ports this process handed out lately: the kernel may give a just-released port again
// at once, and a server given the same port for two listeners refuses to start.
const recent: number[] = [];

/** A free TCP port on 127.0.0.1 (bound then released), not one handed out lately. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (recent.includes(port)) continue;
    recent.push(port);
    if (recent.length > 256) recent.shift();
    return port;
  }
}

/**
 * Resolves once `port` accepts a connection. `exited` says why the server is gone
 * (non-null: stop waiting and fail at once).
 */
export async function waitForPort(port: number, timeoutMs = 15000, exited: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone !== null) throw new Error(`server exited (${gone})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
