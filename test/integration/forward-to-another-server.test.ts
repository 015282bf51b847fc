// Forward: a stream published on A is pushed to B (ffprobe on B sees both tracks); a
// destination that is down at first gets the stream once it comes up; a destination
// that restarts mid-stream gets it again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Relay } from './forward-relay.ts';
import { publish, ffprobeStreams, until, type Proc } from '../helpers/clients.ts';

const servers: TestServer[] = [];
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop();
  for (const s of servers) await s.stop();
});

async function start(opts: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}

function forwardTo(...ports: number[]): Record<string, unknown> {
  return { forward: { enabled: true, destination: ports.map((p) => `127.0.0.1:${p}`) } };
}

function tracks(streams: { codec_type: string }[]): string {
  return streams.map((s) => s.codec_type).sort().join(',');
}

test('a stream published on A with forward to B and C plays from B and C with both tracks', async () => {
  const b = await start({ workers: 1 });
  const c = await start({ workers: 2 });
  const a = await start({ workers: 2, vhost: forwardTo(b.rtmpPort, c.rtmpPort) });
  const pub = publish(a.rtmpUrl('live/fwd1'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await until(() => (a.logs().match(/"msg":"forward started"/g) ?? []).length >= 2, 15000, 'two forwards');
  for (const s of [b, c]) {
    const streams = await ffprobeStreams(s.rtmpUrl('live/fwd1'));
    assert.equal(tracks(streams), 'audio,video');
  }
  // B saw the publish with the hop count.
  assert.match(b.logs(), /"msg":"publish started"/);
  await pub.stop();
  // The forwarders stop with the source: B's publisher leaves.
  await b.waitForLog(/"msg":"unpublished"|rtmp connection closed/, 10000);
});

test('a destination that is down at first gets the stream within seconds of coming up, and again after a restart', async () => {
  const relay = await Relay.create();
  const a = await start({ workers: 1, vhost: forwardTo(relay.port) });
  const pub = publish(a.rtmpUrl('live/fwd2'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await a.waitForLog(/"msg":"forward failed"/, 10000);
  let b = await start({ workers: 1 });
  await relay.to(b.rtmpPort);
  const upAt = Date.now();
  await b.waitForLog(/"msg":"publish started"/, 15000);
  const delay = Date.now() - upAt;
  assert.ok(delay < 12_000, `forward started ${delay} ms after B came up`);
  assert.equal(tracks(await ffprobeStreams(b.rtmpUrl('live/fwd2'))), 'audio,video');

  // B restarts mid-stream: A's forwarder notices and resumes; A's publisher is untouched.
  await b.stop('SIGKILL');
  await relay.to(null);
  await a.waitForLog(/"msg":"forward dropped"/, 10000);
  b = await start({ workers: 1 });
  await relay.to(b.rtmpPort);
  await b.waitForLog(/"msg":"publish started"/, 15000);
  assert.equal(tracks(await ffprobeStreams(b.rtmpUrl('live/fwd2'))), 'audio,video');
  assert.equal(pub.proc.exitCode, null, 'the publisher on A is still publishing');
  await until(() => (a.logs().match(/"msg":"forward started"/g) ?? []).length >= 2, 5000, 'a second forward');
  await relay.to(null);
});
