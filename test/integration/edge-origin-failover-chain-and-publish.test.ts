// Edge: a dead first origin is skipped for the next one; an edge of an edge works; a
// publish to an edge is pushed through to the origin (SRS edge publish).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep, type Proc } from '../helpers/clients.ts';

let origin: TestServer;
let edge: TestServer;
const servers: TestServer[] = [];
const procs: Proc[] = [];

function edgeOf(...ports: number[]): Record<string, unknown> {
  return { cluster: { mode: 'remote', origin: ports.map((p) => `127.0.0.1:${p}`) } };
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

test('an edge whose first origin is dead pulls from the next one; an edge of the edge works', async () => {
  const dead = await freePort();
  const edge2 = await startServer({ workers: 1, vhost: edgeOf(dead, origin.rtmpPort) });
  servers.push(edge2);
  assert.equal(tracks(await ffprobeStreams(edge2.rtmpUrl('live/e1'))), 'audio,video');
  assert.match(edge2.logs(), /"msg":"edge pull failed"/);
  // HTTP-FLV viewers on an edge go through the same fan-out and pull.
  assert.equal(tracks(await ffprobeStreams(edge2.httpUrl('live/e1.flv'))), 'audio,video');
  // An edge of edge2: chained pulls.
  const edge3 = await startServer({ workers: 1, vhost: edgeOf(edge2.rtmpPort) });
  servers.push(edge3);
  assert.equal(tracks(await ffprobeStreams(edge3.rtmpUrl('live/e1'))), 'audio,video');
});

test('a publish to the edge reaches the origin (edge publish)', async () => {
  const pub = publish(edge.rtmpUrl('live/e2'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await edge.waitForLog(/"msg":"forward started".*"role":"edge"|"role":"edge".*"msg":"forward started"/, 15000);
  assert.equal(tracks(await ffprobeStreams(origin.rtmpUrl('live/e2'))), 'audio,video');
  // Players on the edge are served by the local publisher, without a pull.
  assert.equal(tracks(await ffprobeStreams(edge.rtmpUrl('live/e2'))), 'audio,video');
  await sleep(200);
  assert.ok(!/"msg":"edge pull started".*e2/.test(edge.logs()));
  await pub.stop();
});
