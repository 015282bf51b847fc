// HTTP-FLV with real readers: many viewers at once from the fan-out, each starting like an
// RTMP play, a viewer that comes before the publisher, ffprobe, CORS,
// and the vhost chosen by the Host header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, sleep, type Proc } from '../helpers/clients.ts';
import { rawExchange } from '../helpers/http-get.ts';
import { watchFlv, flvStartProblems, FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvViewerResult } from '../helpers/flv-viewer.ts';

const VIEWERS = 50;
const MEDIA_MS = 3000;

let server: TestServer;
const publishers: Proc[] = [];
before(async () => {
  server = await startServer({
    workers: 2,
    config: {
      vhosts: {
        __defaultVhost__: { hls: { enabled: false, path: './html' } },
        'vtest.local': { hls: { enabled: false, path: './html' }, http_remux: { enabled: true } },
      },
    },
  });
});
after(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await server?.stop();
});

function startPublisher(path: string): Proc {
  const p = publish(server.rtmpUrl(path), 'av-1mbps.flv', { loop: true });
  publishers.push(p);
  return p;
}

/** Waits until one viewer gets the stream (the publish is live on the server). */
async function waitLive(path: string, headers?: Record<string, string>): Promise<void> {
  const r = await watchFlv(server.httpUrl(path), { mediaMs: 0, timeoutMs: 15000, headers });
  assert.equal(r.error, null, `${path} never went live: ${r.error}`);
}

function describeViewer(r: FlvViewerResult): string {
  return `status ${r.status}, headers after ${r.headersAfterMs} ms, ${r.tags.length} tags, error ${r.error}`;
}

test(`${VIEWERS} HTTP-FLV viewers at once all get header, onMetaData, sequence headers, a keyframe, then rising timestamps`, async () => {
  const pub = startPublisher('live/x');
  await waitLive('live/x.flv');
  const started = Date.now();
  const [viewers, streams] = await Promise.all([
    Promise.all(Array.from({ length: VIEWERS }, () => watchFlv(server.httpUrl('live/x.flv'), { mediaMs: MEDIA_MS, timeoutMs: 20000 }))),
    ffprobeStreams(server.httpUrl('live/x.flv')),
  ]);
  console.log(`# ${VIEWERS} viewers got ${MEDIA_MS} ms of media each within ${Date.now() - started} ms`);
  const failures: string[] = [];
  viewers.forEach((v, i) => {
    const problems = flvStartProblems(v, MEDIA_MS);
    if (v.error) problems.push(v.error);
    if (v.headers['content-type'] !== 'video/x-flv') problems.push(`content-type ${v.headers['content-type']}`);
    if (v.headers['access-control-allow-origin'] !== '*') problems.push(`Access-Control-Allow-Origin ${v.headers['access-control-allow-origin']}`);
    if (problems.length) failures.push(`viewer ${i} (${describeViewer(v)}): ${problems.join('; ')}`);
  });
  assert.deepEqual(failures, []);
  assert.equal(streams.length, 2, JSON.stringify(streams));
  assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  const video = streams.find((s) => s.codec_type === 'video')!;
  assert.equal(video.width, 1280);
  assert.equal(video.height, 720);
  // Audio and video come interleaved in time, as the publisher sent them.
  for (const v of viewers.slice(0, 5)) {
    const media = v.tags.filter((t) => t.type === FLV_TAG_AUDIO || t.type === FLV_TAG_VIDEO).slice(3);
    const back = media.findIndex((t, i) => i > 0 && t.timestamp + 100 < media[i - 1]!.timestamp);
    assert.equal(back, -1, `timestamp ${media[back]?.timestamp} after ${media[back - 1]?.timestamp}`);
  }
  await pub.stop();
});

test('a viewer that asks before the publisher starts waits without headers, then gets the stream from its start', async () => {
  const asked = Date.now();
  const viewer = watchFlv(server.httpUrl('live/late.flv'), { mediaMs: 2000, timeoutMs: 20000 });
  await sleep(1500);
  const pub = startPublisher('live/late');
  const published = Date.now() - asked;
  const v = await viewer;
  assert.ok(v.headersAfterMs >= published, `headers came ${v.headersAfterMs} ms after the request, the publisher started at ${published} ms`);
  assert.equal(v.error, null, describeViewer(v));
  assert.deepEqual(flvStartProblems(v, 2000), []);
  assert.equal(v.headers['access-control-allow-origin'], '*');
  await pub.stop();
});

test('the vhost is chosen by the Host header: vtest.local plays only with Host: vtest.local', async () => {
  const pub = startPublisher('live/v?vhost=vtest.local');
  await waitLive('live/v.flv', { Host: 'vtest.local' });
  const [right, wrong, crossed] = await Promise.all([
    watchFlv(server.httpUrl('live/v.flv'), { headers: { Host: `vtest.local:${server.httpPort}` }, mediaMs: 2000, timeoutMs: 15000 }),
    // Another vhost's stream: the default vhost has no live/v, so the request waits (SRS).
    watchFlv(server.httpUrl('live/v.flv'), { mediaMs: 0, timeoutMs: 2500 }),
    // Nor does vtest.local see a default-vhost stream of the same name.
    (async () => {
      const other = startPublisher('live/w');
      await waitLive('live/w.flv');
      return watchFlv(server.httpUrl('live/w.flv'), { headers: { Host: 'vtest.local' }, mediaMs: 0, timeoutMs: 2500 });
    })(),
  ]);
  assert.equal(right.error, null, describeViewer(right));
  assert.deepEqual(flvStartProblems(right, 2000), []);
  assert.equal(wrong.headersAfterMs, -1, `Host 127.0.0.1 got an answer for a vtest.local stream: ${describeViewer(wrong)}`);
  assert.equal(crossed.headersAfterMs, -1, `Host vtest.local got a default-vhost stream: ${describeViewer(crossed)}`);
  await pub.stop();
});

test('HEAD on a live HTTP-FLV stream answers the headers of GET and ends, without a body', async () => {
  const pub = startPublisher('live/h');
  await waitLive('live/h.flv');
  const asked = Date.now();
  const r = await rawExchange(server.httpPort, 'HEAD /live/h.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 4000);
  const took = Date.now() - asked;
  const text = r.raw.toString('latin1');
  assert.equal(r.status, 200, `HEAD /live/h.flv: ${r.raw.length} bytes in ${took} ms: ${JSON.stringify(text.slice(0, 200))}`);
  assert.match(text, /\r\ncontent-type: video\/x-flv\r\n/i);
  assert.ok(took < 3000, `the HEAD answer did not end (${took} ms)`);
  assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4).replace(/^0\r\n\r\n$/, ''), '', 'HEAD answer has a body');
  await pub.stop();
});
