// The media pool's figures in GET /api/v1/summaries (`data.pool`) and in
// /metrics (`sluice_media_pool_blocks{state}`): the configured size, blocks taken while a
// stream is live, and none once it has ended.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';

const BLOCK = 65536;
const MAX = 8 * 1024 * 1024;

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2, config: { media: { block_size: BLOCK, max_memory: MAX } } });
});
after(async () => {
  await server.stop();
});

interface Pool { block_size: number; blocks: number; in_use: number; peak: number; failed: number }

async function pool(): Promise<Pool> {
  const body = (await (await server.api('/api/v1/summaries')).json()) as { code: number; data: { pool: Pool } };
  assert.equal(body.code, 0);
  return body.data.pool;
}

async function gauge(state: string): Promise<number> {
  const text = await (await server.api('/metrics')).text();
  const m = new RegExp(`^sluice_media_pool_blocks\\{state="${state}"\\} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `no sluice_media_pool_blocks{state="${state}"} in /metrics`);
  return Number(m[1]);
}

test('summaries and /metrics show the pool: its size, blocks in use while a stream is live, none after', async () => {
  const idle = await pool();
  assert.deepEqual(idle, { block_size: BLOCK, blocks: MAX / BLOCK, in_use: 0, peak: 0, failed: 0 });
  assert.equal(await gauge('total'), MAX / BLOCK);
  assert.equal(await gauge('in_use'), 0);

  const pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    await pub.client.publish('figures');
    await sendFile(pub.client, 'av-200kbps.flv', { limitMs: 3000 });
    const live = await until(async () => {
      const p = await pool();
      return p.in_use > 0 ? p : null;
    }, 5000, 'blocks in use while live');
    assert.ok(live!.peak >= live!.in_use);
    assert.ok(await gauge('in_use') > 0, 'the gauge shows them too');
  } finally {
    await pub.client.close();
  }
  await until(async () => (await pool()).in_use === 0, 5000, 'every block back once the stream ended');
  assert.equal(await gauge('in_use'), 0);
  const after = await pool();
  assert.ok(after.peak > 0, 'the peak stays');
  assert.equal(after.failed, 0);
});
