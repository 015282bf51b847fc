// Starts a real Sluice server process on free 127.0.0.1 ports with a config made for
// the test, waits until it accepts, and stops it (by its own PID) when done.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

export { freePort, waitForPort };
import { stringify } from 'yaml';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';

export const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
export const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
export const MEDIA = new URL('../../../shared/media/', import.meta.url).pathname;

export interface TestServer {
  readonly rtmpPort: number;
  readonly httpPort: number;
  readonly apiPort: number;
  readonly dir: string;
  readonly proc: ChildProcess;
  /** Everything the server logged so far (JSON lines). */
  logs(): string;
  rtmpUrl(path: string): string;
  httpUrl(path: string): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Waits for a log line that matches. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** The API's bearer token ('' when the API is open). */
  readonly apiToken: string;
  /** fetch() on the HTTP API, with the bearer token when the server has one. */
  api(path: string, init?: RequestInit): Promise<Response>;
}



export interface StartOptions {
  workers?: number;
  /** Merged into the default vhost. */
  vhost?: Record<string, unknown>;
  /** Extra top-level keys (may override vhosts entirely). */
  config?: Record<string, unknown>;
  /** Extra environment. */
  env?: Record<string, string>;
  /**
   * `http_api.auth.token`. Default: SLUICE_TEST_API_TOKEN, so any suite that talks to the
   * API through `server.api()` can be run again with a token set.
   */
  apiToken?: string;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const [rtmpPort, httpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const apiToken = opts.apiToken ?? process.env.SLUICE_TEST_API_TOKEN ?? '';
  const html = join(dir, 'html');
  mkdirSync(html, { recursive: true });
  const config: Record<string, unknown> = {
    listen: `127.0.0.1:${rtmpPort}`,
    workers: opts.workers ?? 1,
    pid: join(dir, 'sluice.pid'),
    log: { level: 'info' },
    http_api: { enabled: true, listen: `127.0.0.1:${apiPort}`, ...(apiToken ? { auth: { token: apiToken } } : {}) },
    http_server: { enabled: true, listen: `127.0.0.1:${httpPort}`, dir: html },
    vhosts: {
      __defaultVhost__: { hls: { enabled: false, path: html }, ...(opts.vhost ?? {}) },
    },
    ...(opts.config ?? {}),
  };
  const configPath = join(dir, 'sluice.yaml');
  writeFileSync(configPath, stringify(config));
  const proc = spawn(NODE, [...SERVER_NODE_FLAGS, MAIN, '-c', configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(opts.env ?? {}) },
  });
  let out = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  try {
    await waitForPort(rtmpPort);
    await waitForPort(httpPort);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`server did not start: ${(err as Error).message}\n${out}`);
  }
  let stopped = false;
  return {
    rtmpPort, httpPort, apiPort, dir, proc, apiToken,
    logs: () => out,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (apiToken && !headers.has('authorization')) headers.set('Authorization', `Bearer ${apiToken}`);
      return fetch(`http://127.0.0.1:${apiPort}${path}`, { ...init, headers });
    },
    rtmpUrl: (path) => `rtmp://127.0.0.1:${rtmpPort}/${path.replace(/^\//, '')}`,
    httpUrl: (path) => `http://127.0.0.1:${httpPort}/${path.replace(/^\//, '')}`,
    waitForLog(re, timeoutMs = 10000) {
      const line = out.split('\n').find((l) => re.test(l));
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no log line matching ${re} in ${timeoutMs} ms\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!stopped) {
        stopped = true;
        if (proc.exitCode === null) proc.kill(signal);
        const t = setTimeout(() => proc.kill('SIGKILL'), 12000);
        const code = await exited;
        clearTimeout(t);
        rmSync(dir, { recursive: true, force: true });
        return code;
      }
      return exited;
    },
  };
}
