// 2,500 publish/unpublish cycles (a stream costs what it carries, and its blocks go
// back once no reader and no socket write needs them): several publishers in parallel,
// each cycle a few messages with metadata, sequence headers and a keyframe, a player
// attached on some cycles, some connections closed politely and some cut. At the end the
// pool has no block in use, the last 1,000 cycles add no RSS (nothing accumulates per
// publish), and once the server idles RSS comes back to where it stood when it had just
// started, with no forced garbage collection: V8's memory reducer compacts the idle heaps
// and unmaps their free pages (runtime/memory-reducer.ts keeps it working on Node 24;
// without that, RSS stayed ~35 MB above the start after 90 s of rest).
// SLUICE_CHURN_CYCLES=8000 runs a longer churn (the last 1,000 are the ones measured).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sendFile, rssKiB, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { until, sleep } from '../helpers/clients.ts';

const CYCLES = Number(process.env.SLUICE_CHURN_CYCLES ?? 2500);
const MEASURED = 1000;
const WARMUP = 100;
const LANES = 10;
/** What the last 1,000 cycles may add while the churn runs: measurement noise. */
const LAST_THOUSAND_BOUND_MB = 8;
/** V8's memory reducer looks every 8 s and starts once allocation has been low for a tick. */
const IDLE_WAIT_MS = 45_000;
let busyRetries = 0;

/**
 * The start is the RSS of a server that has just started, before V8's first reduction
 * (at least 8 s after its first major GC) could run: a server that took longer to start
 * on a loaded machine is started again, so the comparison is always with the same state.
 */
const START_MEASURED_WITHIN_MS = 5000;
let server: TestServer;
let rssFirst = 0;
before(async () => {
  for (let attempt = 1; ; attempt++) {
    const spawned = Date.now();
    server = await startServer({ workers: 2, config: { media: { block_size: 65536, max_memory: 256 * 1024 * 1024 } } });
    rssFirst = rssKiB(server.proc.pid!);
    if (Date.now() - spawned <= START_MEASURED_WITHIN_MS || attempt === 3) break;
    await server.stop();
  }
});
after(async () => {
  await server.stop();
});

interface Pool { block_size: number; blocks: number; in_use: number; peak: number; failed: number }

async function pool(): Promise<Pool> {
  return ((await (await server.api('/api/v1/summaries')).json()) as { data: { pool: Pool } }).data.pool;
}

async function heapsKiB(): Promise<number[]> {
  const w = ((await (await server.api('/api/v1/summaries')).json()) as { data: { workers: { heap_used_kbyte: number }[] } }).data.workers;
  return w.map((x) => x.heap_used_kbyte);
}

async function gaugeInUse(): Promise<number> {
  const m = /^sluice_media_pool_blocks\{state="in_use"\} (\d+)$/m.exec(await (await server.api('/metrics')).text());
  assert.ok(m, 'sluice_media_pool_blocks{state="in_use"} in /metrics');
  return Number(m[1]);
}

function end(r: Recorded, cut: boolean): Promise<void> {
  if (cut) {
    r.client.destroy();
    return Promise.resolve();
  }
  return r.client.close();
}

/** One cycle: publish a few messages (a player first on some cycles), then leave. */
async function cycle(n: number, lane: number, k: number): Promise<void> {
  // Each lane's names come back every third cycle: a republish after an unpublish.
  const name = `churn${lane}x${k % 3}`;
  const withPlayer = n % 4 === 0;
  const cut = n % 3 === 0;
  let player: Recorded | null = null;
  if (withPlayer) {
    player = await connectRecorded(server.rtmpUrl('live'));
    await player.client.play(name);
  }
  let pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    // The previous publish of this name may still be ending on the server (a cut
    // connection is noticed a moment later): a brief retry, as an encoder would.
    for (let attempt = 0; ; attempt++) {
      try {
        await pub.client.publish(name);
        break;
      } catch (err) {
        if (attempt >= 40 || !/already publishing/.test((err as Error).message)) throw err;
        busyRetries++;
        await sleep(50);
        await end(pub, false);
        pub = await connectRecorded(server.rtmpUrl('live'));
      }
    }
    // metadata, both sequence headers, the first keyframe and a few frames after it
    await sendFile(pub.client, 'av-200kbps.flv', { limitMs: 200 });
    if (player) {
      const p = player;
      await until(() => p.media().some((m) => m.messageType === 9 && m.payload[0] === 0x17 && m.payload[1] === 1), 5000, `cycle ${n}: the player's keyframe`);
    }
  } finally {
    // the player leaves first or last, politely or not
    if (player && n % 8 === 0) await end(player, cut);
    await end(pub, cut && !withPlayer);
    if (player && n % 8 !== 0) await end(player, !cut);
  }
}

test('2,500 publish/unpublish cycles give every block back and, once idle, all their RSS', { timeout: 200_000 }, async (t) => {
  const start = await pool();
  assert.equal(start.in_use, 0);
  const heapsFirst = await heapsKiB();
  let next = 0;
  let rssPeak = rssFirst;
  const run = async (until: number) => {
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let k = 0; next < until; k++) {
        const n = next++;
        await cycle(n, lane, k);
        if (n % 50 === 0) rssPeak = Math.max(rssPeak, rssKiB(server.proc.pid!));
      }
    });
    await Promise.all(lanes);
  };
  await run(WARMUP);
  const rssWarm = rssKiB(server.proc.pid!);
  const heapsWarm = await heapsKiB();
  const t0 = Date.now();
  await run(WARMUP + CYCLES - MEASURED);
  const rssBefore = rssKiB(server.proc.pid!);
  await run(WARMUP + CYCLES);
  const rssAfter = rssKiB(server.proc.pid!);
  const rssStart = rssFirst;
  const churnMs = Date.now() - t0;
  const figures = await until(async () => {
    const p = await pool();
    return p.in_use === 0 ? p : null;
  }, 15_000, 'no block in use').catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(await pool())}`);
  });
  assert.equal(await gaugeInUse(), 0, 'the gauge agrees');
  assert.equal(figures!.failed, 0, 'no allocation was refused');
  assert.ok(figures!.peak > 0);
  // RSS comes back on its own once the server idles: freed blocks stay in the pool for
  // reuse, and the heaps that the churn grew are compacted by V8 when allocation stops.
  const idleFrom = Date.now();
  let rssEnd = rssKiB(server.proc.pid!);
  while (rssEnd > rssStart && Date.now() - idleFrom < IDLE_WAIT_MS) {
    await sleep(1000);
    rssEnd = rssKiB(server.proc.pid!);
  }
  const idleMs = Date.now() - idleFrom;
  t.diagnostic(`${CYCLES} cycles in ${churnMs} ms; pool ${JSON.stringify(figures)}; ${busyRetries} publishes retried while the name was still ending; RSS at server start ${(rssFirst / 1024).toFixed(1)} MB, after warm-up ${(rssWarm / 1024).toFixed(1)} MB, heaps KiB start ${heapsFirst} warm ${heapsWarm} end ${await heapsKiB()}, peak ${(rssPeak / 1024).toFixed(1)} MB, at the churn's end ${(rssAfter / 1024).toFixed(1)} MB, after ${idleMs} ms idle ${(rssEnd / 1024).toFixed(1)} MB`);
  t.diagnostic(`RSS before the last ${MEASURED} cycles ${(rssBefore / 1024).toFixed(1)} MB, after them ${(rssAfter / 1024).toFixed(1)} MB`);
  assert.ok(rssEnd <= rssStart, `RSS ${((rssEnd - rssStart) / 1024).toFixed(1)} MB above the server's start after ${idleMs} ms idle`);
  assert.ok((rssAfter - rssBefore) / 1024 <= LAST_THOUSAND_BOUND_MB, `the last ${MEASURED} cycles added ${((rssAfter - rssBefore) / 1024).toFixed(1)} MB`);
  const streams = ((await (await server.api('/api/v1/streams')).json()) as { streams: unknown[] }).streams;
  assert.deepEqual(streams, [], 'no stream left behind');
  assert.equal(server.proc.exitCode, null);
});
