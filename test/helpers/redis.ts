// A real redis-server (Debian's package) for the cluster tests: on a free 127.0.0.1 port,
// with its own data dir and no persistence, stopped by its own PID. It can be stopped
// and started again on the same port (a Redis restart forgets every key, as in the field
// without persistence).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGTERM, by PID); it can be started again with start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  const start = async (): Promise<void> => {
    if (proc) return;
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = p;
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    let failed: string | null = null;
    // No redis-server installed: say so (`.ci/run` installs Debian's package).
    p.once('error', (err) => (failed = `cannot run redis-server: ${err.message}`));
    exited = new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.once('error', () => resolve());
    });
    try {
      await waitForPort(port, 10000, () => failed ?? (p.exitCode !== null ? `exit ${p.exitCode}` : null));
    } catch (err) {
      p.kill('SIGKILL');
      proc = null;
      throw new Error(`redis-server did not start: ${(err as Error).message}\n${out}`);
    }
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p) return;
    proc = null;
    if (p.exitCode === null) p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
