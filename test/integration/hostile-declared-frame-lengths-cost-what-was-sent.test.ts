// A publisher's frames are stored in the pool as their chunks arrive, so a frame that
// declares 16 MB and sends a few KB must cost the pool a few KB, not 16 MB: five publishers
// each declaring a 16 MB keyframe and sending 40 KB of it hold a handful of blocks between
// them, not 1,280; other streams go on; everything goes back when they leave.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { until, sleep } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1, config: { media: { block_size: 65536, max_memory: 512 * 1024 * 1024 } } });
});
after(async () => {
  await server.stop();
});

async function inUse(): Promise<number> {
  return ((await (await server.api('/api/v1/summaries')).json()) as { data: { pool: { in_use: number } } }).data.pool.in_use;
}

const DECLARED = 0xffffff;
const CHUNK = 4096; // our client's out chunk size

/** The first chunk of a keyframe that declares DECLARED bytes, then `more` continuation chunks. */
function hugeKeyframeStart(more: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 6;
  h.writeUIntBE(0, 1, 3);
  h.writeUIntBE(DECLARED, 4, 3);
  h[7] = 9;
  h.writeUInt32LE(1, 8);
  const body = Buffer.alloc(CHUNK, 0x55);
  body.set([0x17, 0x01, 0, 0, 0], 0);
  const parts = [h, body];
  for (let i = 0; i < more; i++) parts.push(Buffer.from([0xc6]), Buffer.alloc(CHUNK, i & 0xff));
  return Buffer.concat(parts);
}

test('frames declaring 16 MB and sending 40 KB cost the pool what was sent', { timeout: 60_000 }, async () => {
  const before = await inUse();
  const pubs: Recorded[] = [];
  for (let i = 0; i < 5; i++) {
    const p = await connectRecorded(server.rtmpUrl('live'));
    await p.client.publish(`huge${i}`);
    p.client.socket.write(hugeKeyframeStart(9));
    pubs.push(p);
  }
  // let the server read it all
  await sleep(500);
  const held = (await inUse()) - before;
  // 40 KB each fits one 64 KB block, plus an index block: about 10 blocks, far from 5 x 256
  assert.ok(held <= 15, `the five half-sent frames hold ${held} blocks`);
  for (const p of pubs) assert.equal(p.client.closedReason, null, 'the publishers are still connected');
  for (const p of pubs) p.client.destroy();
  await until(async () => (await inUse()) === before, 10_000, 'every block back');
});
