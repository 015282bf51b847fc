// The bench's handle on a load-client process: start it (optionally pinned to CPUs),
// ramp players, mark keep-up windows, read the latest report, stop it by its PID.

import { spawn, type ChildProcess } from 'node:child_process';
import type { LoadCommand, LoadReport } from './protocol.ts';
import { launchCommand } from '../lib/launch.ts';
import type { StreamTarget } from './rtmp-wire.ts';
import type { PlayerProtocol } from './bench-player.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('./main.ts', import.meta.url).pathname;

export class LoadClient {
  readonly proc: ChildProcess;
  latest: LoadReport | null = null;
  /** First-frame samples since the last takeFirstFrames(). */
  private ff: number[] = [];
  private waiters: (() => void)[] = [];

  constructor(opts: { threads: number; cpus?: string }) {
    const args = [MAIN, '--threads', String(opts.threads)];
    const stdio: ('ignore' | 'inherit' | 'ipc')[] = ['ignore', 'inherit', 'inherit', 'ipc'];
    const [file, argv] = launchCommand(opts.cpus, NODE, args);
    this.proc = spawn(file, argv, { stdio });
    this.proc.on('message', (r: LoadReport) => {
      this.latest = r;
      for (const v of r.firstFrameMs) this.ff.push(v);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private send(cmd: LoadCommand): void {
    this.proc.send(cmd);
  }

  ramp(targets: StreamTarget[], count: number, ratePerSec: number, protocol: PlayerProtocol = 'rtmp'): void {
    this.send({ type: 'ramp', targets, count, ratePerSec, protocol });
  }

  mark(): void {
    this.send({ type: 'mark' });
  }

  closeAll(): void {
    this.send({ type: 'close-all' });
  }

  takeFirstFrames(): number[] {
    const out = this.ff;
    this.ff = [];
    return out;
  }

  /** Resolves at the next report (or after timeoutMs). */
  nextReport(timeoutMs = 3000): Promise<LoadReport | null> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.latest), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve(this.latest);
      });
    });
  }

  /** Waits until `count` players are playing (or `timeoutMs`). */
  async waitConnected(count: number, timeoutMs: number): Promise<LoadReport | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.nextReport();
      if ((r && r.connected >= count) || Date.now() > deadline) return r;
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    try {
      this.send({ type: 'exit' });
    } catch {
      // the channel is already gone
    }
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
