// 200 streams published at once, each with one of our RTMP players that asked to play it
// before its publisher came: every player receives every audio and video message of its
// own stream, byte for byte and with its timestamp (one stored copy per stream,
// in blocks of one shared pool). Four seconds of av-200kbps.flv per stream, at real time.
// Afterwards the pool's figures show blocks taken while live and all of them back.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { connectRecorded, flvTags, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';
import { FlvReplayPublisher, loadFlv, type FlvSource } from '../../bench/publisher/flv-replay-publisher.ts';

const STREAMS = 200;
const FILE = 'av-200kbps.flv';
const LIMIT_MS = 4000;

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(async () => {
  await server.stop();
});

interface Pool { block_size: number; blocks: number; in_use: number; peak: number; failed: number }

async function poolFigures(): Promise<Pool | undefined> {
  const body = (await (await server.api('/api/v1/summaries')).json()) as { data: { pool?: Pool } };
  return body.data.pool;
}

async function inBatches<T>(n: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => make(i + k)))));
  }
  return out;
}

test('200 streams at once: each player gets every message of its stream, byte for byte', { timeout: 90_000 }, async () => {
  const all = loadFlv(MEDIA + FILE);
  const section: FlvSource = { tags: all.tags.filter((t) => t.timestamp <= LIMIT_MS), loopMs: all.loopMs };
  const want = flvTags(FILE).filter((t) => (t.type === 8 || t.type === 9) && t.timestamp <= LIMIT_MS);
  const players: Recorded[] = [];
  const publishers: FlvReplayPublisher[] = [];
  try {
    players.push(...(await inBatches(STREAMS, 50, async (i) => {
      const p = await connectRecorded(server.rtmpUrl('live'), { timeoutMs: 20_000 });
      await p.client.play(`s${i}`);
      return p;
    })));
    const t0 = Date.now();
    let started = 0;
    let finished = 0;
    for (let i = 0; i < STREAMS; i++) {
      publishers.push(new FlvReplayPublisher({ host: '127.0.0.1', port: server.rtmpPort, app: 'live', stream: `s${i}` }, section, {
        onStarted: () => started++,
        onFinished: () => finished++,
      }));
    }
    await until(() => started === STREAMS || publishers.some((p) => p.error), 20_000, 'every publish to start');
    assert.deepEqual(publishers.filter((p) => p.error).map((p) => `${p.target.stream}: ${p.error}`), []);
    await until(() => finished === STREAMS, 30_000, 'every publisher to send its section');
    const live = await poolFigures();
    assert.ok(live, 'GET /api/v1/summaries carries data.pool');
    assert.ok(live.in_use > 0, 'blocks are in use while the streams are live');
    await until(() => players.every((p) => p.media().length >= want.length), 30_000, 'every player to get every message').catch((e: Error) => {
      const short = players.map((p, i) => ({ i, got: p.media().length, closed: p.client.closedReason })).filter((x) => x.got < want.length);
      throw new Error(`${e.message}: ${short.length} players short, e.g. ${JSON.stringify(short.slice(0, 5))} of ${want.length}\n${server.logs().slice(-2000)}`);
    });
    const elapsed = Date.now() - t0;
    for (let i = 0; i < STREAMS; i++) {
      const got = players[i]!.media();
      assert.equal(got.length, want.length, `stream s${i}: message count`);
      // Per track, in order (the two sequence headers may come audio first, as SRS sends them).
      for (const type of [8, 9]) {
        const g = got.filter((m) => m.messageType === type);
        const w = want.filter((t) => t.type === type);
        assert.equal(g.length, w.length, `stream s${i} type ${type} count`);
        for (let k = 0; k < w.length; k++) {
          assert.equal(g[k]!.timestamp, w[k]!.timestamp, `stream s${i} type ${type} message ${k} timestamp`);
          assert.ok(Buffer.from(g[k]!.payload).equals(Buffer.from(w[k]!.data)), `stream s${i} type ${type} message ${k} payload`);
        }
      }
    }
    assert.ok(elapsed < 60_000, `took ${elapsed} ms`);
  } finally {
    for (const p of publishers) p.stop();
    await Promise.all(players.map((p) => p.client.close().catch(() => {})));
  }
  // Every stream ended and every player left: every block is back.
  const end = await until(async () => {
    const p = await poolFigures();
    return p && p.in_use === 0 ? p : null;
  }, 15_000, 'the pool to have no block in use').catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(await poolFigures())}`);
  });
  assert.equal(end!.failed, 0, 'no allocation was refused');
  assert.ok(end!.peak > 0);
});
