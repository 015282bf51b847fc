// The publisher process of the many-streams and density scenarios (bench/publisher/main.ts):
// COUNT looped real-time replays of av-1mbps.flv as streams PREFIX0..PREFIX<COUNT-1>, in one
// process, pinned to CPU 1 when the server is pinned. Stopped by its own PID.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NODE } from './servers.ts';
import { launchCommand } from './launch.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';

const PUBLISHER = new URL('../publisher/main.ts', import.meta.url).pathname;

export interface Publishers {
  readonly proc: ChildProcess;
  /** Where each stream is played from. */
  readonly targets: StreamTarget[];
  /** Resolves once every stream was accepted; rejects after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startPublishers(port: number, prefix: string, count: number, pinned: boolean, log: (s: string) => void): Publishers {
  const [file, argv] = launchCommand(pinned ? '1' : undefined, NODE, [PUBLISHER, '127.0.0.1', String(port), 'live', prefix, String(count)]);
  const proc = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => proc.once('exit', r));
  let isReady = false;
  let onReady: (() => void) | null = null;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (!line.startsWith('ready')) return log(`  publisher: ${line}`);
    isReady = true;
    onReady?.();
  });
  const targets: StreamTarget[] = [];
  for (let i = 0; i < count; i++) targets.push({ host: '127.0.0.1', port, app: 'live', stream: `${prefix}${i}` });
  return {
    proc,
    targets,
    ready: (timeoutMs) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the ${count} publishers did not all start in ${timeoutMs / 1000} s`)), timeoutMs);
      onReady = () => {
        clearTimeout(t);
        resolve();
      };
      if (isReady) onReady();
    }),
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
