// Origin CPU with players on two edges (see README.md). Each step: ramp the players
// (spread over both edges), settle, then a measurement window of the CPU of each server
// process and of the players' throughput. Results go to bench/results/cluster-*.json.

import { readFileSync } from 'node:fs';
import { startServer, removeServerDir, type RunningServer } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { fmt, machine, table, writeResults } from '../lib/report.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}

const steps = arg('steps', '10,200').split(',').map(Number);
const windowSec = Number(arg('window', '10'));
const settleSec = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Established TCP connections whose local port is `port` (the server's side). */
function establishedTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 3 && f[1]!.endsWith(`:${hex}`) && f[3] === '01') n++;
    }
  }
  return n;
}

interface Step {
  players: number;
  keepingUpPct: number;
  mbitPerSec: number;
  originCpuPct: number;
  edgeCpuPct: number[];
  upstreamPlays: number;
}

async function main(): Promise<void> {
  const origin = await startServer({ kind: 'sluice', workers: 1, vhost: {} });
  const edgeVhost = { cluster: { mode: 'remote', origin: [`127.0.0.1:${origin.port}`] } };
  const edges: RunningServer[] = [
    await startServer({ kind: 'sluice', workers: 1, vhost: edgeVhost }),
    await startServer({ kind: 'sluice', workers: 1, vhost: edgeVhost }),
  ];
  const pub = startFfmpegPublisher(`rtmp://127.0.0.1:${origin.port}/live/bench`);
  const lc = new LoadClient({ threads: 2 });
  const targets: StreamTarget[] = edges.map((e) => ({ host: '127.0.0.1', port: e.port, app: 'live', stream: 'bench' }));
  const originCpu = new CpuMeter(origin.pids);
  const edgeCpu = edges.map((e) => new CpuMeter(e.pids));
  const out: Step[] = [];
  try {
    await sleep(2000);
    // The origin with its publisher and no player at all, as the floor.
    originCpu.start();
    await sleep(windowSec * 1000);
    const idle = originCpu.percent();
    console.log(`origin with the publisher only: CPU ${fmt(idle)}%`);
    let have = 0;
    for (const n of steps) {
      lc.ramp(targets, n - have, 100);
      have = n;
      await lc.waitConnected(n, 30000);
      await sleep(settleSec * 1000);
      const before = await lc.nextReport();
      lc.mark();
      originCpu.start();
      for (const m of edgeCpu) m.start();
      await sleep(windowSec * 1000);
      const r = await lc.nextReport();
      const step: Step = {
        players: n,
        keepingUpPct: r ? (100 * r.keepingUp) / n : 0,
        mbitPerSec: r && before ? ((r.bytes - before.bytes) * 8) / 1e6 / ((r.t - before.t) / 1000) : 0,
        originCpuPct: originCpu.percent(),
        edgeCpuPct: edgeCpu.map((m) => m.percent()),
        upstreamPlays: establishedTo(origin.port) - 1, // minus the publisher
      };
      out.push(step);
      console.log(`${n} players: ${fmt(step.keepingUpPct)}% keeping up, ${fmt(step.mbitPerSec)} Mbit/s, origin CPU ${fmt(step.originCpuPct)}%, ` +
        `edges ${step.edgeCpuPct.map((c) => `${fmt(c)}%`).join(' / ')}, origin connections from edges ${step.upstreamPlays}`);
    }
    console.log('\n' + table(
      ['players (2 edges)', 'keeping up', 'Mbit/s delivered', 'origin plays', 'origin CPU', 'edge 1 CPU', 'edge 2 CPU'],
      [['0 (publisher only)', '-', '-', '0', `${fmt(idle)}%`, '-', '-'], ...out.map((s) => [
        String(s.players), `${fmt(s.keepingUpPct)}%`, fmt(s.mbitPerSec), String(s.upstreamPlays), `${fmt(s.originCpuPct)}%`, `${fmt(s.edgeCpuPct[0])}%`, `${fmt(s.edgeCpuPct[1])}%`,
      ])],
    ));
    const file = writeResults('cluster', { machine: machine(), windowSec, originIdleCpuPct: idle, steps: out });
    console.log(`results: ${file}`);
  } finally {
    lc.closeAll();
    await lc.stop();
    await pub.stop();
    for (const s of [...edges, origin]) {
      await s.stop();
      removeServerDir(s);
    }
  }
}

await main();
