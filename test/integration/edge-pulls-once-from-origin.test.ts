// Edge: players on an edge B of origin A get the stream A has, through ONE upstream
// connection per stream whatever the number of players and workers; the upstream closes
// after the last player left, and a later player pulls again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep, type Proc } from '../helpers/clients.ts';
import { connectRecorded, type Recorded } from '../fixtures/rtmp/our-clients.ts';

let origin: TestServer;
let edge: TestServer;
const servers: TestServer[] = [];
const procs: Proc[] = [];

function edgeOf(...ports: number[]): Record<string, unknown> {
  return { cluster: { mode: 'remote', origin: ports.map((p) => `127.0.0.1:${p}`) } };
}

function count(s: TestServer, re: RegExp): number {
  return s.logs().split('\n').filter((l) => re.test(l)).length;
}

function tracks(streams: { codec_type: string }[]): string {
  return streams.map((s) => s.codec_type).sort().join(',');
}

before(async () => {
  origin = await startServer({ workers: 1 });
  edge = await startServer({ workers: 2, vhost: edgeOf(origin.rtmpPort) });
  servers.push(origin, edge);
  const pub = publish(origin.rtmpUrl('live/e1'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await origin.waitForLog(/"msg":"publish started"/, 10000);
});

after(async () => {
  for (const p of procs) await p.stop();
  for (const s of servers) await s.stop();
});

test('ten players on the edge (two workers) make one upstream play on the origin, and it closes after they leave', async () => {
  const players: Recorded[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const p = await connectRecorded(edge.rtmpUrl('live'));
      await p.client.play('e1');
      players.push(p);
    }
    for (const p of players) {
      await until(() => p.media().some((m) => m.messageType === 9) && p.media().some((m) => m.messageType === 8), 15000, 'audio and video on every player');
    }
    const first = players[0]!.media().find((m) => m.messageType === 9)!;
    assert.equal(first.payload[1], 0, 'a player starts with the video sequence header');
    assert.equal(count(origin, /"msg":"play started"/), 1, 'exactly one play on the origin');
    assert.equal(count(edge, /"msg":"edge pull started"/), 1, 'one edge pull on the edge server');
    await until(() => count(edge, /"msg":"play started"/) === 10, 5000, 'ten plays logged on the edge');
    // However the kernel spread the players over the edge's workers, one pull.
    const workers = new Set(edge.logs().split('\n').filter((l) => /"msg":"play started"/.test(l)).map((l) => JSON.parse(l).worker));
    assert.ok(workers.size >= 1);
    assert.equal(count(edge, /"msg":"edge pull started"/), 1, `one edge pull for players on workers ${[...workers].join(',')}`);
  } finally {
    for (const p of players) await p.client.close();
  }
  await edge.waitForLog(/"msg":"edge pull stopped: no players"/, 15000);
  await origin.waitForLog(/"msg":"rtmp connection closed"|"msg":"play stopped"|deleteStream/, 5000).catch(() => undefined);
  // A new player later pulls again.
  const streams = await ffprobeStreams(edge.rtmpUrl('live/e1'));
  assert.equal(tracks(streams), 'audio,video');
  assert.equal(count(edge, /"msg":"edge pull started"/), 2);
});
