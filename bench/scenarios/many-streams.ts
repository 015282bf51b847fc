// Many streams: P publishers (our FLV-replaying publisher, one process) x K players each.
// Measures keep-up, delivered Mbit/s, server CPU and RSS over one window.

import { startServer, removeServerDir, type ServerOptions } from '../lib/servers.ts';
import { startPublishers } from '../lib/publishers.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';

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
  const pub = startPublishers(s.port, 'm', p.publishers, pinned, log);
  const lc = new LoadClient({ threads: p.threads, cpus: pinned ? '1' : undefined });
  try {
    await pub.ready(30000);
    await sleep(1000);
    const players = p.publishers * p.playersPerStream;
    lc.ramp(pub.targets, players, 500);
    await lc.waitConnected(players, 30000);
    await sleep(2000);
    const before = await lc.nextReport();
    lc.mark();
    const srv = new CpuMeter(s.pids);
    const cli = new CpuMeter(() => [lc.pid]);
    const pubm = new CpuMeter(() => [pub.proc.pid!]);
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
    await pub.stop();
    await s.stop();
    removeServerDir(s);
  }
}
