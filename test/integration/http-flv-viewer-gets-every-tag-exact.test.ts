// An HTTP-FLV viewer that came before the publisher reads the whole stream: the body
// parses as FLV from its first byte, every PreviousTagSize is right, and every audio and
// video tag of av-bframes.flv arrives with its timestamp and its bytes, small audio
// frames (their payload copied into the tick's framing) and large video frames (views of
// the stored payload) alike.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, flvTags, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

function readBody(url: string): { body: Promise<Buffer>; started: Promise<void> } {
  let onStart!: () => void;
  const started = new Promise<void>((r) => (onStart = r));
  const body = new Promise<Buffer>((resolve, reject) => {
    const req = http.get(url, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('socket', () => onStart());
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('HTTP-FLV body did not end in 30 s')));
  });
  return { body, started };
}

test('every tag of av-bframes.flv reaches an HTTP-FLV viewer intact, framing checked byte by byte', { timeout: 60_000 }, async () => {
  const viewer = readBody(server.httpUrl('/live/exact.flv'));
  // an early failure of the request is reported where the body is awaited, with the logs
  viewer.body.catch(() => {});
  await viewer.started;
  // the viewer is known to the server before the publisher starts
  await until(async () => {
    const clients = ((await (await server.api('/api/v1/clients')).json()) as { clients: unknown[] }).clients;
    return clients.length >= 1;
  }, 5000, 'the viewer connected');
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('exact');
  await sendFile(pub.client, 'av-bframes.flv', { realtime: true, speed: 4 });
  await pub.client.close();
  const body = await viewer.body.catch((e: Error) => {
    throw new Error(`the HTTP-FLV request failed: ${e.message}\n${server.logs().slice(-1500)}`);
  });
  // every PreviousTagSize equals the size of the tag before it
  assert.equal(body.readUInt32BE(9), 0, 'PreviousTagSize0');
  let at = 13;
  let tags = 0;
  while (at < body.length) {
    const size = 11 + body.readUIntBE(at + 1, 3);
    assert.equal(body.readUInt32BE(at + size), size, `PreviousTagSize after tag ${tags} at byte ${at}`);
    at += size + 4;
    tags++;
  }
  assert.equal(at, body.length, 'the body ends at a tag boundary');
  const file = readFlvFile(body);
  assert.equal(file.trailingBytes, 0, 'the body ends at a tag boundary');
  const got = file.tags.filter((t) => t.type === 8 || t.type === 9);
  const want = flvTags('av-bframes.flv').filter((t) => t.type === 8 || t.type === 9);
  let small = 0;
  for (const type of [8, 9]) {
    const g = got.filter((t) => t.type === type);
    const w = want.filter((t) => t.type === type);
    assert.equal(g.length, w.length, `type ${type}: ${g.length} tags, sent ${w.length}`);
    for (let i = 0; i < w.length; i++) {
      assert.equal(g[i]!.timestamp, w[i]!.timestamp, `type ${type} tag ${i} timestamp`);
      assert.ok(Buffer.from(g[i]!.data).equals(Buffer.from(w[i]!.data)), `type ${type} tag ${i} bytes`);
      if (w[i]!.data.length <= 1024) small++;
    }
  }
  assert.ok(small > 50 && small < got.length, `both small (${small}) and large tags were checked`);
});
