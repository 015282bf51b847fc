// A worker that dies never releases what it held of the media chains itself. Its stream's
// chain (a GOP of 4 KB blocks) and its fan-out's reader of it must still go back to the
// pool: the main thread's directory reports the dead thread, and its holds are given back.
// Blocks pinned by socket writes in flight at the moment of the crash may stay pinned (the
// pool does not count pins by thread): a handful, against the dozens the chain retained.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';

const CRASH_AFTER_MS = 9000;
const MAX_PINNED_AT_CRASH = 8;
let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 1,
    config: { media: { block_size: 4096, max_memory: 64 * 1024 * 1024 } },
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
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('crash');
  const sending = sendFile(pub.client, 'av-1mbps.flv', { realtime: true, stop: () => pub.client.closedReason !== null }).catch(() => 0);
  let before = 0;
  await until(async () => {
    before = await inUse();
    return before >= 40;
  }, 8000, 'the chain retains a GOP of blocks');
  await server.waitForLog(/crash requested[^\n]*"worker crashed"/, CRASH_AFTER_MS + 5000);
  await until(() => pub.client.closedReason !== null && player.client.closedReason !== null, 5000, 'both connections cut by the crash');
  await sending;
  let now = before;
  await until(async () => {
    now = await inUse();
    return now <= MAX_PINNED_AT_CRASH;
  }, 10_000, 'blocks given back').catch((e: Error) => {
    throw new Error(`${e.message}: ${before} blocks in use before the crash, still ${now}`);
  });
  await server.waitForLog(/its holds on stream media given back/, 2000);
});
