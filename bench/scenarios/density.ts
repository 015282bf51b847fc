// Density: S streams published at once (our FLV-replaying publisher, one process, real
// time) with K players each, the way high-density hosting runs. After a steady state of
// `steadySec` it measures one window: server CPU, the server's peak RSS against its idle
// RSS, and how many players keep up. The same method for every server measured.

import { startServer, removeServerDir, type ServerOptions } from '../lib/servers.ts';
import { startPublishers } from '../lib/publishers.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';

export interface DensityParams {
  streams: number;
  playersPerStream: number;
  steadySec: number;
  windowSec: number;
  threads: number;
}

export interface DensityRun {
  server: string;
  streams: number;
  players: number;
  keepingUpPct: number;
  mbitPerSec: number;
  serverCpuPct: number;
  idleRssMB: number;
  peakRssMB: number;
  /** (peak - idle) / streams. */
  rssPerStreamMB: number;
  publisherCpuPct: number;
  loadClientCpuPct: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDensity(server: ServerOptions, p: DensityParams, log: (s: string) => void): Promise<DensityRun> {
  const pinned = server.cpus !== undefined;
  const s = await startServer(server);
  const srv = new CpuMeter(s.pids);
  await sleep(3000);
  const idle = srv.rss();
  const pub = startPublishers(s.port, 'd', p.streams, pinned, log);
  const lc = new LoadClient({ threads: p.threads, cpus: pinned ? '1' : undefined });
  const players = p.streams * p.playersPerStream;
  const base: DensityRun = {
    server: s.label, streams: p.streams, players, keepingUpPct: 0, mbitPerSec: 0, serverCpuPct: 0,
    idleRssMB: idle / 1e6, peakRssMB: 0, rssPerStreamMB: 0, publisherCpuPct: 0, loadClientCpuPct: 0,
  };
  try {
    await pub.ready(60000);
    lc.ramp(pub.targets, players, 500);
    await lc.waitConnected(players, 60000);
    log(`  ${s.label}: ${p.streams} streams x ${p.playersPerStream} players connected; steady state for ${p.steadySec} s`);
    await sleep(p.steadySec * 1000);
    const before = await lc.nextReport();
    lc.mark();
    const cli = new CpuMeter(() => [lc.pid]);
    const pubm = new CpuMeter(() => [pub.proc.pid!]);
    srv.start();
    cli.start();
    pubm.start();
    let peak = srv.rss();
    for (let t = 0; t < p.windowSec; t++) {
      await sleep(1000);
      peak = Math.max(peak, srv.rss());
    }
    const r = await lc.nextReport();
    const run: DensityRun = {
      ...base,
      keepingUpPct: (100 * (r?.keepingUp ?? 0)) / players,
      mbitPerSec: r && before ? ((r.bytes - before.bytes) * 8) / 1e6 / ((r.t - before.t) / 1000) : 0,
      serverCpuPct: srv.percent(),
      peakRssMB: peak / 1e6,
      rssPerStreamMB: (peak - idle) / 1e6 / p.streams,
      publisherCpuPct: pubm.percent(),
      loadClientCpuPct: cli.percent(),
    };
    log(`  ${s.label}: ${run.keepingUpPct.toFixed(1)}% keeping up, CPU ${run.serverCpuPct.toFixed(1)}%, RSS ${run.idleRssMB.toFixed(0)} -> ${run.peakRssMB.toFixed(0)} MB`);
    return run;
  } catch (err) {
    return { ...base, error: (err as Error).message };
  } finally {
    await lc.stop();
    await pub.stop();
    await s.stop();
    removeServerDir(s);
  }
}
