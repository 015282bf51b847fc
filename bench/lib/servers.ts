// Starting and stopping the servers under test: Sluice, nginx-rtmp, Node-Media-Server.
// Each runs in its own process (optionally pinned with taskset), on a free port, with
// its files in a temp dir; it is stopped by its own PID, never by name.

import { freePort, waitForPort } from '../../test/helpers/ports.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { childrenOf } from './proc-stats.ts';
import { launchCommand } from './launch.ts';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';

export const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
const NGINX_CONF = new URL('../compare/nginx.conf', import.meta.url).pathname;
const NMS = new URL('../compare/nms-server.ts', import.meta.url).pathname;

export type ServerKind = 'sluice' | 'nginx-rtmp' | 'nms-2.7.4';

export interface ServerOptions {
  kind: ServerKind;
  /** Worker threads (Sluice) or processes (nginx); NMS has one thread. */
  workers: number;
  /** taskset CPU list, e.g. "0"; none = not pinned. */
  cpus?: string;
  /** Extra node flags for Sluice (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Sluice vhost overrides. */
  vhost?: Record<string, unknown>;
  /** Sluice: serve HTTP-FLV (http_server on a free port, http_remux on). */
  http?: boolean;
  /** Sluice: extra top-level config keys (e.g. the cluster directory). */
  config?: Record<string, unknown>;
}

export interface RunningServer {
  readonly kind: ServerKind;
  readonly label: string;
  readonly port: number;
  /** The HTTP port, when started with `http`. */
  readonly httpPort?: number;
  readonly pid: number;
  readonly dir: string;
  /** PIDs whose CPU and RSS count as the server's. */
  pids(): number[];
  stop(): Promise<void>;
}



function exitOf(proc: ChildProcess): string | null {
  return proc.exitCode !== null || proc.signalCode !== null ? String(proc.exitCode ?? proc.signalCode) : null;
}

function launch(cpus: string | undefined, cmd: string, args: string[], cwd: string, logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  const stdio: ['ignore', number, number] = ['ignore', fd, fd];
  const [file, argv] = launchCommand(cpus, cmd, args);
  const proc = spawn(file, argv, { cwd, stdio, env });
  closeSync(fd);
  return proc;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${opts.kind}-`));
  const port = await freePort();
  const httpPort = opts.http ? await freePort() : undefined;
  const log = join(dir, 'server.log');
  let proc: ChildProcess;
  let pids: () => number[];
  let label: string;
  if (opts.kind === 'sluice') {
    const config = {
      listen: `127.0.0.1:${port}`,
      workers: opts.workers,
      max_connections: 40000,
      pid: join(dir, 'sluice.pid'),
      log: { level: 'warn' },
      http_api: { enabled: false },
      http_server: httpPort ? { enabled: true, listen: `127.0.0.1:${httpPort}`, dir } : { enabled: false },
      vhosts: { __defaultVhost__: { hls: { enabled: false }, http_remux: { enabled: httpPort !== undefined }, ...(opts.vhost ?? {}) } },
      ...(opts.config ?? {}),
    };
    writeFileSync(join(dir, 'sluice.yaml'), stringify(config));
    proc = launch(opts.cpus, NODE, [...SERVER_NODE_FLAGS, ...(opts.nodeFlags ?? []), MAIN, '-c', join(dir, 'sluice.yaml')], dir, log);
    pids = () => [proc.pid!];
    label = `sluice ${opts.workers}w`;
  } else if (opts.kind === 'nginx-rtmp') {
    const conf = readFileSync(NGINX_CONF, 'utf8')
      .replaceAll('@WORKERS@', String(opts.workers))
      .replaceAll('@PREFIX@', dir)
      .replaceAll('@PORT@', String(port));
    writeFileSync(join(dir, 'nginx.conf'), conf);
    proc = launch(opts.cpus, 'nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], dir, log);
    pids = () => childrenOf(proc.pid!).concat(proc.pid!);
    label = `nginx-rtmp ${opts.workers}w`;
  } else {
    proc = launch(opts.cpus, NODE, [NMS, String(port)], dir, log);
    pids = () => [proc.pid!];
    label = 'nms-2.7.4';
  }
  if (opts.cpus) label += ` (CPU ${opts.cpus})`;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await waitForPort(port, 20000, () => exitOf(proc));
    if (httpPort) await waitForPort(httpPort, 20000, () => exitOf(proc));
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${label} did not start: ${(err as Error).message}\n${safeRead(log).slice(-2000)}`);
  }
  return {
    kind: opts.kind, label, port, httpPort, pid: proc.pid!, dir, pids,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(opts.kind === 'nginx-rtmp' ? 'SIGQUIT' : 'SIGTERM');
      const t = setTimeout(() => {
        // nginx workers are children of its master: take them down by PID too.
        for (const c of childrenOf(proc.pid!)) killQuietly(c);
        proc.kill('SIGKILL');
      }, 12000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The server's own log (for errors and the profile's location). */
export function serverLog(s: RunningServer): string {
  return safeRead(join(s.dir, 'server.log'));
}

export function removeServerDir(s: RunningServer): void {
  rmSync(s.dir, { recursive: true, force: true });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
