// Ports on 127.0.0.1 for servers that tests and benchmarks start: a free one, and
// waiting until a server accepts on one (or has died trying).
import net from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ports this process handed out lately: the kernel may give a just-released port again
// at once, and a server given the same port for two listeners refuses to start.
const recent: number[] = [];

// Test files run in parallel processes, each asking the kernel for free ports: a port one
// process got and released for its server to bind a moment later can be handed to another
// process meanwhile (two servers on one port: with reusePort the kernel then spreads one's
// clients over both). A port is claimed machine-wide by creating a file named after it;
// a claim of a process that is gone is stale, and each process removes its own at exit.
export const PORT_CLAIMS = join(tmpdir(), 'sluice-test-ports');
const claimed: string[] = [];
mkdirSync(PORT_CLAIMS, { recursive: true });
process.on('exit', () => {
  for (const f of claimed) rmSync(f, { force: true });
});

export function claimPort(port: number): boolean {
  const file = join(PORT_CLAIMS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      claimed.push(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (holderAlive(file)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function holderAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A free TCP port on 127.0.0.1 (bound then released), not one handed out lately here or claimed by another test process. */
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
    if (!claimPort(port)) continue;
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
