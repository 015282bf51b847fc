// A worker that dies never releases what it held of the media itself. Its stream's chain
// (a GOP of 4 KB blocks), its fan-out's reader of it, the blocks pinned by socket writes
// in flight at the crash, and the HLS segment and DVR batch being built in blocks must all
// go back to the pool: the main thread's directory
// reports the dead thread and its holds on chains are given back, and its row of the pool's
// pin ledger is emptied before its replacement starts. The pool ends with no block in use.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';

const CRASH_AFTER_MS = 9000;
let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 1,
    config: { media: { block_size: 4096, max_memory: 64 * 1024 * 1024 } },
    vhost: {
      hls: { enabled: true, path: './html', fragment: 10, window: 10 },
      dvr: { enabled: true, plan: 'session', path: './dvr/[app]/[stream].flv' },
    },
    env: { SLUICE_TEST_HOOKS: '1', SLUICE_TEST_CRASH_AFTER_MS: String(CRASH_AFTER_MS) },
  });
});
after(async () => {
  await server.stop();
});

async function inUse(): Promise<number> {
  return ((await (await server.api('/api/v1/summaries')).json()) as { data: { pool: { in_use: number } } }).data.pool.in_use;
}

test('a worker crash while a stream plays: the chain and its readers go back to the pool', { timeout: 60_000 }, async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  await player.client.play('crash');
  // a player that stops reading: its socket writes stay in flight, their blocks pinned
  const stalled = await connectRecorded(server.rtmpUrl('live'));
  await stalled.client.play('crash');
  stalled.client.socket.pause();
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('crash');
  // faster than real time, looped until the crash: more than the stalled player's socket
  // buffers hold in the kernel
  const sending = (async () => {
    for (let k = 0; pub.client.closedReason === null; k++) {
      await sendFile(pub.client, 'av-1mbps.flv', { realtime: true, speed: 6, startMs: k * 30_000, stop: () => pub.client.closedReason !== null });
    }
  })().catch(() => 0);
  let before = 0;
  await until(async () => {
    before = await inUse();
    return before >= 40;
  }, 8000, 'the chain retains a GOP of blocks');
  await server.waitForLog(/crash requested[^\n]*"worker crashed"/, CRASH_AFTER_MS + 5000);
  stalled.client.socket.resume();
  await until(() => pub.client.closedReason !== null && player.client.closedReason !== null && stalled.client.closedReason !== null, 5000, 'the connections cut by the crash');
  await sending;
  let now = before;
  await until(async () => {
    now = await inUse();
    return now === 0;
  }, 10_000, 'blocks given back').catch((e: Error) => {
    throw new Error(`${e.message}: ${before} blocks in use before the crash, still ${now}`);
  });
  await server.waitForLog(/its holds on stream media given back/, 2000);
  // the stalled player's writes were in flight at the crash
  await server.waitForLog(/its pins on media blocks given back/, 2000);
});
