// The server under soak: Sluice in its own process on free 127.0.0.1 ports, 2 workers,
// HLS (2 s fragments, cleanup) and HTTP-FLV on, DVR off, log to a file; stopped by its PID.

import { freePort, waitForPort } from '../../test/helpers/ports.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

export interface SoakServer {
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  readonly rtmpPort: number;
  readonly httpPort: number;
  readonly apiPort: number;
  /** Exit code or signal once the process ended; null while it runs. */
  exited(): string | null;
  log(): string;
  stop(): Promise<string>;
}


export async function startSoakServer(opts: { workers: number; nodeFlags: string[]; logLevel: string; vhost?: Record<string, unknown> }): Promise<SoakServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-soak-'));
  const html = join(dir, 'html');
  mkdirSync(html, { recursive: true });
  const [rtmpPort, httpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const config = {
    listen: `127.0.0.1:${rtmpPort}`,
    workers: opts.workers,
    pid: join(dir, 'sluice.pid'),
    log: { level: opts.logLevel },
    http_api: { enabled: true, listen: `127.0.0.1:${apiPort}` },
    http_server: { enabled: true, listen: `127.0.0.1:${httpPort}`, dir: html },
    vhosts: {
      __defaultVhost__: {
        hls: { enabled: true, path: html, fragment: 2, window: 12, cleanup: true },
        http_remux: { enabled: true },
        dvr: { enabled: false },
        ...(opts.vhost ?? {}),
      },
    },
  };
  writeFileSync(join(dir, 'sluice.yaml'), stringify(config));
  const logFile = join(dir, 'server.log');
  const fd = openSync(logFile, 'a');
  const proc: ChildProcess = spawn(NODE, [...SERVER_NODE_FLAGS, ...opts.nodeFlags, MAIN, '-c', join(dir, 'sluice.yaml')], { cwd: dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  const log = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    for (const port of [rtmpPort, httpPort, apiPort]) await waitForPort(port, 20_000, () => exit);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`sluice did not start: ${(err as Error).message}\n${log().slice(-2000)}`);
  }
  return {
    pid: proc.pid!, dir, logFile, rtmpPort, httpPort, apiPort,
    exited: () => exit,
    log,
    async stop() {
      if (exit === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
      return exit!;
    },
  };
}

