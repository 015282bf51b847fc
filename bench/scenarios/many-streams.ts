// Many streams: P publishers (our FLV-replaying publisher, one process) x K players each.
// Measures keep-up, delivered Mbit/s, server CPU and RSS over one window.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startServer, removeServerDir, NODE, type ServerOptions } from '../lib/servers.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { launchCommand } from '../lib/launch.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';

const PUBLISHER = new URL('../publisher/main.ts', import.meta.url).pathname;

export interface ManyStreamsParams {
  publishers: number;
  playersPerStream: number;
  windowSec: number;
  threads: number;
}

export interface ManyStreamsRun {
  server: string;
  publishers: number;
  players: number;
  keepingUp: number;
  keepingUpPct: number;
  mbitPerSec: number;
  serverCpuPct: number;
  serverRssMB: number;
  loadClientCpuPct: number;
  publisherCpuPct: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runManyStreams(server: ServerOptions, p: ManyStreamsParams, log: (s: string) => void): Promise<ManyStreamsRun> {
  const pinned = server.cpus !== undefined;
  const s = await startServer(server);
  const args = [PUBLISHER, '127.0.0.1', String(s.port), 'live', 'm', String(p.publishers)];
  const [file, argv] = launchCommand(pinned ? '1' : undefined, NODE, args);
  const pub = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const pubExited = new Promise((r) => pub.once('exit', r));
  const lc = new LoadClient({ threads: p.threads, cpus: pinned ? '1' : undefined });
  try {
    const ready = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 30000);
      createInterface({ input: pub.stdout! }).on('line', (line) => {
        if (line.startsWith('ready')) {
          clearTimeout(t);
          resolve(true);
        } else log(`  publisher: ${line}`);
      });
    });
    if (!ready) throw new Error('the publishers did not all start in 30 s');
    await sleep(1000);
    const targets: StreamTarget[] = [];
    for (let i = 0; i < p.publishers; i++) targets.push({ host: '127.0.0.1', port: s.port, app: 'live', stream: `m${i}` });
    const players = p.publishers * p.playersPerStream;
    lc.ramp(targets, players, 500);
    await lc.waitConnected(players, 30000);
    await sleep(2000);
    const before = await lc.nextReport();
    lc.mark();
    const srv = new CpuMeter(s.pids);
    const cli = new CpuMeter(() => [lc.pid]);
    const pubm = new CpuMeter(() => [pub.pid!]);
    srv.start();
    cli.start();
    pubm.start();
    await sleep(p.windowSec * 1000);
    const r = await lc.nextReport();
    const keepingUp = r?.keepingUp ?? 0;
    const run: ManyStreamsRun = {
      server: s.label, publishers: p.publishers, players, keepingUp, keepingUpPct: (100 * keepingUp) / players,
      mbitPerSec: r && before ? ((r.bytes - before.bytes) * 8) / 1e6 / ((r.t - before.t) / 1000) : 0,
      serverCpuPct: srv.percent(), serverRssMB: srv.rss() / 1e6, loadClientCpuPct: cli.percent(), publisherCpuPct: pubm.percent(),
    };
    log(`  ${s.label}: ${p.publishers} streams x ${p.playersPerStream}: ${run.keepingUpPct.toFixed(1)}% keeping up, server CPU ${run.serverCpuPct.toFixed(1)}%`);
    return run;
  } finally {
    await lc.stop();
    if (pub.exitCode === null) pub.kill('SIGTERM');
    const t = setTimeout(() => pub.kill('SIGKILL'), 3000);
    await pubExited;
    clearTimeout(t);
    await s.stop();
    removeServerDir(s);
  }
}
