// Two origins sharing streams through Redis: a real redis-server, origins
// A and B, a looped 1 Mbit/s publisher on A. It measures
//  1. the time from a play on B to its first video frame for the stream on A: cold (B has
//     no pull yet: directory lookup + RTMP pull from A + GOP) and warm (B already pulls),
//     next to a play on A itself;
//  2. the CPU of each origin with N players on each (A's play locally, B's through one pull).
// Results go to bench/results/cluster-redis-*.json.
//
//     ./node_modules/.bin/node bench/cluster/redis-origins.ts [--samples 5] [--steps 10,100] [--window 10]

import { startServer, removeServerDir, type RunningServer } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { fmt, machine, percentile, table, writeResults } from '../lib/report.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';
import { startRedis } from '../../test/helpers/redis.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}

const samples = Number(arg('samples', '5'));
const steps = arg('steps', '10,100').split(',').map(Number);
const windowSec = Number(arg('window', '10'));
/** An idle pull closes 5 s after its last player (EDGE_IDLE_MS), checked every second. */
const PULL_GONE_MS = 7500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ms from the start of the RTMP connect to the first video frame (not a sequence header). */
async function firstFrameMs(port: number, stream: string): Promise<number> {
  const t0 = performance.now();
  let got: (ms: number) => void = () => {};
  const done = new Promise<number>((resolve) => (got = resolve));
  const client = await RtmpClient.connect(`rtmp://127.0.0.1:${port}/live`, {
    timeoutMs: 10000,
    onEvent: (e) => {
      if (e.type === 'media' && e.messageType === 9 && e.payload.length > 1 && e.payload[1] === 1) got(performance.now() - t0);
    },
  });
  try {
    await client.play(stream);
    return await Promise.race([done, sleep(15000).then(() => Number.NaN)]);
  } finally {
    client.destroy();
  }
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const cluster = { cluster: { redis: redis.url, ttl: 10 } };
  const a = await startServer({ kind: 'sluice', workers: 1, config: cluster });
  const b = await startServer({ kind: 'sluice', workers: 1, config: cluster });
  const pub = startFfmpegPublisher(`rtmp://127.0.0.1:${a.port}/live/bench`);
  const lc = new LoadClient({ threads: 2 });
  const servers: RunningServer[] = [a, b];
  try {
    await sleep(3000);
    const local: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < samples; i++) {
      local.push(await firstFrameMs(a.port, 'bench'));
      await sleep(PULL_GONE_MS);
      cold.push(await firstFrameMs(b.port, 'bench'));
      // Warm: a player holds B's pull open while another joins.
      const holder = await RtmpClient.connect(`rtmp://127.0.0.1:${b.port}/live`);
      await holder.play('bench');
      await sleep(1500);
      warm.push(await firstFrameMs(b.port, 'bench'));
      holder.destroy();
      console.log(`sample ${i + 1}: A local ${fmt(local.at(-1))} ms, B cold ${fmt(cold.at(-1))} ms, B warm ${fmt(warm.at(-1))} ms`);
    }
    await sleep(PULL_GONE_MS);
    const ff = { samples, localMs: local, coldMs: cold, warmMs: warm };

    const cpuA = new CpuMeter(a.pids);
    const cpuB = new CpuMeter(b.pids);
    cpuA.start();
    cpuB.start();
    await sleep(windowSec * 1000);
    const idle = { a: cpuA.percent(), b: cpuB.percent() };
    console.log(`publisher only: A ${fmt(idle.a)}%, B ${fmt(idle.b)}%`);
    const targets: StreamTarget[] = [a, b].map((s) => ({ host: '127.0.0.1', port: s.port, app: 'live', stream: 'bench' }));
    const rows: { perOrigin: number; keepingUpPct: number; cpuA: number; cpuB: number }[] = [];
    let have = 0;
    for (const n of steps) {
      lc.ramp(targets, 2 * n - have, 100);
      have = 2 * n;
      await lc.waitConnected(have, 30000);
      await sleep(3000);
      lc.mark();
      cpuA.start();
      cpuB.start();
      await sleep(windowSec * 1000);
      const r = await lc.nextReport();
      const row = { perOrigin: n, keepingUpPct: r ? (100 * r.keepingUp) / have : 0, cpuA: cpuA.percent(), cpuB: cpuB.percent() };
      rows.push(row);
      console.log(`${n} players per origin: ${fmt(row.keepingUpPct)}% keeping up, A CPU ${fmt(row.cpuA)}%, B CPU ${fmt(row.cpuB)}%`);
    }
    const p = (v: number[], q: number) => fmt(percentile(v, q));
    console.log('\n' + table(
      ['first video frame', 'p50 ms', 'max ms'],
      [
        ['play on A (local)', p(local, 50), p(local, 100)],
        ['play on B, cold (pull starts)', p(cold, 50), p(cold, 100)],
        ['play on B, warm (pull running)', p(warm, 50), p(warm, 100)],
      ],
    ));
    console.log('\n' + table(
      ['players per origin', 'keeping up', 'A CPU (origin, local players)', 'B CPU (pulling origin)'],
      [['0 (publisher only)', '-', `${fmt(idle.a)}%`, `${fmt(idle.b)}%`], ...rows.map((r) => [String(r.perOrigin), `${fmt(r.keepingUpPct)}%`, `${fmt(r.cpuA)}%`, `${fmt(r.cpuB)}%`])],
    ));
    const file = writeResults('cluster-redis', { machine: machine(), windowSec, firstFrame: ff, idleCpuPct: idle, steps: rows });
    console.log(`results: ${file}`);
  } finally {
    lc.closeAll();
    await lc.stop();
    await pub.stop();
    for (const s of servers) {
      await s.stop();
      removeServerDir(s);
    }
    await redis.dispose();
  }
}

await main();
