// The cluster directory: three origins A, B, C and one real redis-server. A stream published on A
// plays from B and C (RTMP and HTTP-FLV) through one pull per stream and server; a second
// publish of it on B is refused; when A is killed, its key expires, players on B stay and
// resume once the stream is published on C; Redis stopped and started while streams play
// neither stops local work nor loses a stream, and the directory registers them again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { publish, ffprobeStreams, ffprobePackets, until, sleep, type Proc } from '../helpers/clients.ts';
import { connectRecorded, type Recorded } from '../fixtures/rtmp/our-clients.ts';

const TTL = 3;
let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let c: TestServer;
const procs: Proc[] = [];
const players: Recorded[] = [];

interface ClusterData {
  enabled: boolean;
  available: boolean;
  self: string;
  origins: { address: string; streams: number; players: number; load: { cpu_percent: number } }[];
  streams: { key: string; vhost: string; app: string; stream: string; origin: string }[];
}

async function cluster(s: TestServer): Promise<ClusterData> {
  const res = await fetch(`http://127.0.0.1:${s.apiPort}/api/v1/cluster`);
  const body = (await res.json()) as { code: number; data: ClusterData };
  assert.equal(body.code, 0);
  return body.data;
}

function count(s: TestServer, re: RegExp): number {
  return s.logs().split('\n').filter((l) => re.test(l)).length;
}

function tracks(streams: { codec_type: string }[]): string {
  return streams.map((s) => s.codec_type).sort().join(',');
}

function origin(opts: { hls?: boolean; workers?: number } = {}): Promise<TestServer> {
  const vhost = opts.hls ? { hls: { enabled: true, fragment: 1, window: 6 } } : {};
  return startServer({ workers: opts.workers ?? 1, vhost, config: { cluster: { redis: redis.url, ttl: TTL, key_prefix: 'test:' } } });
}

before(async () => {
  redis = await startRedis();
  // B has two workers: its players land on either, and still make one pull.
  [a, b, c] = await Promise.all([origin(), origin({ workers: 2 }), origin({ hls: true })]);
  procs.push(publish(a.rtmpUrl('live/c1'), 'av-1mbps.flv', { loop: true, timeoutMs: 170_000 }));
  await a.waitForLog(/"msg":"publish started"/, 10000);
});

after(async () => {
  for (const p of players) await p.client.close().catch(() => undefined);
  for (const p of procs) await p.stop();
  for (const s of [a, b, c]) await s?.stop('SIGKILL');
  await redis?.dispose();
});

test('GET /api/v1/cluster on any origin lists the three origins and where the stream lives', async () => {
  const view = (await until(async () => {
    const v = await cluster(b);
    return v.origins.length === 3 && v.streams.length === 1 ? v : null;
  }, 10000, 'three origins and one stream in the directory'))!;
  assert.equal(view.enabled, true);
  assert.equal(view.available, true);
  assert.deepEqual(view.streams.map((s) => [s.key, s.stream, s.origin]), [['__defaultVhost__/live/c1', 'c1', `127.0.0.1:${a.rtmpPort}`]]);
  const onA = view.origins.find((o) => o.address === `127.0.0.1:${a.rtmpPort}`)!;
  assert.equal(onA.streams, 1);
  assert.equal(typeof onA.load.cpu_percent, 'number');
});

test('HLS of the stream of A on C: the first playlist request pulls it, and the segments play', async () => {
  const res = await fetch(c.httpUrl('live/c1.m3u8'));
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /#EXTM3U/);
  assert.match(text, /#EXTINF/);
  assert.equal(tracks(await ffprobeStreams(c.httpUrl('live/c1.m3u8'))), 'audio,video');
  assert.equal(count(c, /"msg":"edge pull started"/), 1);
});

test('players on B (RTMP, HTTP-FLV) and C (HTTP-FLV) get the stream of A, through one pull per origin', async () => {
  for (let i = 0; i < 3; i++) {
    const p = await connectRecorded(b.rtmpUrl('live'));
    await p.client.play('c1');
    players.push(p);
  }
  for (const p of players) {
    await until(() => p.media().some((m) => m.messageType === 9) && p.media().some((m) => m.messageType === 8), 15000, 'audio and video on every B player');
    assert.equal(p.media().find((m) => m.messageType === 9)!.payload[1], 0, 'a player starts with the video sequence header (GOP cache)');
  }
  assert.equal(tracks(await ffprobeStreams(b.rtmpUrl('live/c1'))), 'audio,video');
  assert.equal(tracks(await ffprobeStreams(b.httpUrl('live/c1.flv'))), 'audio,video');
  assert.equal(tracks(await ffprobeStreams(c.httpUrl('live/c1.flv'))), 'audio,video');
  const frames = await ffprobePackets(c.rtmpUrl('live/c1'), { readIntervals: '%+2' });
  assert.ok(frames.filter((f) => f.codec_type === 'video').length >= 20, `video frames from C over RTMP: ${frames.length}`);
  assert.equal(count(b, /"msg":"edge pull started"/), 1, 'one upstream on B for all its players');
  assert.equal(count(c, /"msg":"edge pull started"/), 1, 'one upstream on C');
  assert.equal(count(a, /"msg":"play started"/), 2, 'A serves one play to B and one to C');
  // Pulled streams are not claimed: the directory still says A.
  assert.deepEqual((await cluster(c)).streams.map((s) => s.origin), [`127.0.0.1:${a.rtmpPort}`]);
});

test('a second publish of the stream on B is refused with BadName, never Publish.Start', async () => {
  const second = await connectRecorded(b.rtmpUrl('live'));
  await assert.rejects(second.client.publish('c1'), /BadName/);
  const onStatus = second.events.filter((e) => e.type === 'status' && e.name === 'onStatus').map((e) => (e as { code: string }).code);
  assert.ok(!onStatus.includes('NetStream.Publish.Start'), `no onStatus Publish.Start: ${onStatus.join(',')}`);
  assert.ok(onStatus.includes('NetStream.Publish.BadName'));
  await until(() => second.client.closedReason !== null, 5000, 'the second publisher closed');
  const ff = publish(b.rtmpUrl('live/c1'), 'av-1mbps.flv', { timeoutMs: 15000 });
  assert.notEqual((await ff.done).code, 0, 'ffmpeg publishing the same stream to B fails');
  await b.waitForLog(/"msg":"publish refused: the stream is live on another origin"/, 1000);
});

test('kill -9 of A: its keys expire, B players stay (UnpublishNotify) and resume when C publishes', async () => {
  const p = players[0]!;
  a.proc.kill('SIGKILL');
  await until(() => p.statuses().includes('NetStream.Play.UnpublishNotify'), 10000, 'UnpublishNotify on the B player');
  assert.equal(p.client.closedReason, null, 'the player stays connected');
  const killedAt = Date.now();
  await until(async () => (await cluster(c)).streams.length === 0, (TTL + 2) * 1000, "A's stream key expired");
  await until(async () => (await cluster(c)).origins.length === 2, (TTL + 2) * 1000, "A's origin key expired");
  assert.ok(Date.now() - killedAt <= (TTL + 2) * 1000);
  const before = p.media().length;
  procs.push(publish(c.rtmpUrl('live/c1'), 'av-1mbps.flv', { loop: true, timeoutMs: 150_000 }));
  await until(() => p.media().length > before + 50, 20000, 'the B player resumes with media from C');
  const resumed = p.media().slice(before);
  assert.ok(resumed.some((m) => m.messageType === 9 && m.payload[1] === 0), 'the resumed stream starts with a sequence header');
  assert.deepEqual((await cluster(b)).streams.map((s) => s.origin), [`127.0.0.1:${c.rtmpPort}`]);
});

test('Redis stopped and started while streams play: local work goes on, remote plays refused, keys registered again', async () => {
  procs.push(publish(b.rtmpUrl('live/local1'), 'av-1mbps.flv', { loop: true, timeoutMs: 120_000 }));
  await b.waitForLog(/"stream":"__defaultVhost__\/live\/local1".*"msg":"publish started"|"msg":"publish started".*local1/, 10000);
  await redis.stop();
  await b.waitForLog(/"msg":"shared directory unreachable/, 5000);
  const p = players[0]!;
  const n = p.media().length;
  await until(() => p.media().length > n + 30, 10000, 'the remote play on B goes on without Redis');
  // A local publish and play go on.
  procs.push(publish(b.rtmpUrl('live/local2'), 'av-1mbps.flv', { loop: true, timeoutMs: 120_000 }));
  await until(() => count(b, /"msg":"publish started"/) >= 2, 10000, 'a publish on B without Redis');
  assert.equal(tracks(await ffprobeStreams(b.rtmpUrl('live/local2'))), 'audio,video');
  // A stream B does not have cannot be located: the play is refused with one log line.
  const lost = await connectRecorded(b.rtmpUrl('live'));
  await lost.client.play('elsewhere').catch(() => undefined);
  await until(() => lost.statuses().includes('NetStream.Play.StreamNotFound') || lost.client.closedReason !== null, 5000, 'remote play refused');
  // The client can hear the refusal before the worker's log line has come through the pipe.
  await b.waitForLog(/"msg":"play refused: the cluster directory is unreachable/, 5000);
  assert.equal(count(b, /"msg":"play refused: the cluster directory is unreachable/), 1);
  await redis.start();
  await b.waitForLog(/"msg":"shared directory reachable: registering again"/, 10000);
  const view = (await until(async () => {
    const v = await cluster(c);
    return v.available && v.streams.length === 3 && v.origins.length === 2 ? v : null;
  }, 10000, 'every live stream registered again after the restart'))!;
  assert.deepEqual(
    view.streams.map((s) => `${s.key}@${s.origin}`),
    [
      `__defaultVhost__/live/c1@127.0.0.1:${c.rtmpPort}`,
      `__defaultVhost__/live/local1@127.0.0.1:${b.rtmpPort}`,
      `__defaultVhost__/live/local2@127.0.0.1:${b.rtmpPort}`,
    ],
  );
  // And C can play B's stream again through the directory.
  assert.equal(tracks(await ffprobeStreams(c.httpUrl('live/local1.flv'))), 'audio,video');
  await sleep(100);
  assert.equal(b.proc.exitCode, null, 'B never exited');
  assert.equal(c.proc.exitCode, null, 'C never exited');
});

test('a graceful stop of B releases its streams and its origin key at once, not a ttl later', async () => {
  assert.equal(await b.stop('SIGTERM'), 0);
  const stoppedAt = Date.now();
  const view = await cluster(c);
  assert.deepEqual(view.streams.map((s) => s.origin), [`127.0.0.1:${c.rtmpPort}`], 'only C\'s stream is left');
  assert.deepEqual(view.origins.map((o) => o.address), [`127.0.0.1:${c.rtmpPort}`]);
  assert.ok(Date.now() - stoppedAt < TTL * 1000);
});
