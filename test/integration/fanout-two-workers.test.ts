import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { until, sleep } from '../helpers/clients.ts';
import { RtmpPlayer } from '../../bench/load-client/rtmp-player.ts';
import { FlvReplayPublisher, loadFlv } from '../../bench/publisher/flv-replay-publisher.ts';

const SPEED = 2;
let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(async () => {
  await server.stop();
});

function playWorkers(logs: string, ids: Set<string>): Set<number> {
  const workers = new Set<number>();
  for (const line of logs.split('\n')) {
    if (!line.includes('"play started"')) continue;
    const m = /"worker":(\d+).*"client":"([^"]+)"/.exec(line);
    if (m && ids.has(m[2])) workers.add(Number(m[1]));
  }
  return workers;
}

test('10+ players on both workers, joined before the publisher, get every frame from the first keyframe, in order', async () => {
  const src = loadFlv(MEDIA + 'av-1mbps.flv');
  const target = { host: '127.0.0.1', port: server.rtmpPort, app: 'live', stream: 'two' };
  const readBuffer = Buffer.alloc(256 * 1024);
  const players: RtmpPlayer[] = [];
  try {
    // The kernel spreads connections over the workers: add players until both serve some.
    while (players.length < 10 || (playWorkers(server.logs(), new Set(players.map((p) => p.clientId))).size < 2 && players.length < 40)) {
      players.push(new RtmpPlayer(target, { readBuffer, record: true }));
      const count = players.length;
      await until(() => players.filter((p) => p.clientId).length === count, 5000, 'play answered');
      await until(() => (server.logs().match(/"play started"/g) ?? []).length >= count, 5000, 'play started logged');
    }
    assert.deepEqual([...playWorkers(server.logs(), new Set(players.map((p) => p.clientId)))].sort(), [1, 2]);

    let finished = false;
    const pub = new FlvReplayPublisher(target, src, { speed: SPEED, onFinished: () => (finished = true) });
    await until(() => finished, 40000, 'the replay to finish');
    const mediaTags = src.tags.filter((t) => t.type === 8 || t.type === 9);
    const lastTs = mediaTags.at(-1)!.timestamp;
    await until(() => players.every((p) => p.lastTs >= lastTs - 100), 5000, 'every player to reach the end');
    await sleep(1000);
    pub.stop();

    const firstKey = mediaTags.findIndex((t) => t.type === 9 && t.data[0] >> 4 === 1 && t.data[1] === 1);
    const expected = mediaTags.slice(firstKey).map((t) => ({ type: t.type, ts: t.timestamp, len: t.data.length }));
    const seqHeaders = mediaTags.filter((t) => (t.type === 9 && t.data[1] === 0) || (t.type === 8 && t.data[1] === 0));
    for (const p of players) {
      assert.equal(p.error, '', `player ${p.clientId}: ${p.error}`);
      const frames = p.frames!;
      const start = frames.findIndex((f) => f.type === 9 && f.ts === expected[0].ts && f.len === expected[0].len);
      assert.ok(start >= 0, `player ${p.clientId} never got the first keyframe`);
      // Before it: the sequence headers the server re-sends first, nothing else.
      for (const h of seqHeaders) assert.ok(frames.slice(0, start).some((f) => f.type === h.type && f.len === h.data.length), `player ${p.clientId}: missing sequence header`);
      const got = frames.slice(start, start + expected.length);
      assert.equal(got.length, expected.length, `player ${p.clientId}: ${got.length} of ${expected.length} frames`);
      assert.deepEqual(got, expected, `player ${p.clientId}: frames differ from the source`);
    }
  } finally {
    for (const p of players) p.close();
  }
});
