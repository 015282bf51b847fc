// The pid file, locked while the server runs (as SRS locks its pid file with fcntl), so
// that a second server given the same pid file refuses to start.
//
// Node has no flock. The lock is a Unix socket in Linux's abstract namespace, named
// after the pid file's real path: binding a name is atomic and exclusive, and the kernel
// releases it when the process ends however it ends (even SIGKILL). So there is no stale
// lock to detect: a pid file left by a dead server is simply taken over, and a live
// unrelated process that reuses the old pid is never mistaken for a server. The lock
// answers anyone who connects with its pid, which is how the refusal names it.

import net from 'node:net';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SluiceError } from '../errors.ts';

export interface PidLock {
  /** False where abstract Unix sockets do not exist (not Linux): the pid file is then written unlocked. */
  readonly locked: boolean;
  /** Writes this process's pid into the file; the error when it cannot. */
  writePid(): Error | null;
  /** Removes the pid file (if it is still ours) and drops the lock. */
  release(): void;
}

const ASK_TIMEOUT_MS = 1000;

function lockName(pidPath: string): string {
  const abs = resolve(pidPath);
  let real = abs;
  try {
    mkdirSync(dirname(abs), { recursive: true });
    real = join(realpathSync(dirname(abs)), basename(abs));
  } catch {
    // the folder cannot be made: writePid reports it; lock on the path as given
  }
  return `\0sluice-pid-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
}

/** Takes the lock of `pidPath`, or throws START_RUNNING naming the server that holds it. */
export async function lockPidFile(pidPath: string): Promise<PidLock> {
  const path = resolve(pidPath);
  if (process.platform !== 'linux') return pidFile(path, null);
  const name = lockName(path);
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(`${process.pid}\n`);
  });
  const err = await new Promise<NodeJS.ErrnoException | null>((res) => {
    server.once('error', res);
    server.listen({ path: name }, () => res(null));
  });
  if (err) {
    if (err.code !== 'EADDRINUSE') throw new SluiceError('START_LISTEN', `pid file ${pidPath}: cannot lock (${err.message})`, { cause: err });
    const pid = (await askHolder(name)) ?? readPid(path);
    throw new SluiceError('START_RUNNING', `already running (pid ${pid ?? 'unknown'}), pid file ${pidPath}`);
  }
  server.unref();
  return pidFile(path, server);
}

function pidFile(path: string, server: net.Server | null): PidLock {
  return {
    locked: server !== null,
    writePid() {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, `${process.pid}\n`);
        return null;
      } catch (err) {
        return err as Error;
      }
    },
    release() {
      if (readPid(path) === process.pid) rmSync(path, { force: true });
      server?.close();
    },
  };
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid the lock's holder answers with, or null when it does not answer in time. */
function askHolder(name: string): Promise<number | null> {
  return new Promise((res) => {
    let text = '';
    const socket = net.connect({ path: name });
    const done = (pid: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      res(pid);
    };
    const timer = setTimeout(() => done(null), ASK_TIMEOUT_MS);
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => {
      const pid = Number(text.trim());
      done(Number.isInteger(pid) && pid > 0 ? pid : null);
    });
    socket.on('error', () => done(null));
  });
}
