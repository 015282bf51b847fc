// The vhost a publish/play lands on (tcUrl host, ?vhost= on the app or the stream name,
// fallback to the default), a disabled vhost refusing the connect, and the publisher,
// handshake and idle timeouts.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/clients.ts';
import { closedWithin, connectRecorded, rawSocket, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { ClientHandshake } from '../../src/net/rtmp/handshake.ts';

let server: TestServer;
before(async () => {
  const html = { hls: { enabled: false } };
  server = await startServer({
    workers: 1,
    config: {
      vhosts: {
        __defaultVhost__: { ...html, publish: { first_packet_timeout_ms: 2000, normal_timeout_ms: 1000 } },
        'vtest.local': { ...html },
        'off.local': { ...html, enabled: false },
      },
    },
  });
});
after(async () => {
  await server.stop();
});

test('?vhost= on the stream name puts the stream on that vhost; players must name it too', async () => {
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('a?vhost=vtest.local&k=v');
  let stop = false;
  const sending = sendFile(pub.client, 'av-bframes.flv', { realtime: true, stop: () => stop });
  const onVhost = await connectRecorded(server.rtmpUrl('live?vhost=vtest.local'));
  const onDefault = await connectRecorded(server.rtmpUrl('live'));
  try {
    await server.waitForLog(/"stream":"vtest\.local\/live\/a","msg":"publish started"/, 5000);
    await onVhost.client.play('a');
    await onDefault.client.play('a');
    await until(() => onVhost.media().length > 10, 5000, 'media on vtest.local');
    assert.equal(onDefault.media().length, 0, 'the default vhost has no stream live/a');
  } finally {
    stop = true;
    await sending;
    await Promise.all([pub.client.close(), onVhost.client.close(), onDefault.client.close()]);
  }
});

test('an unknown ?vhost= falls back to the default vhost', async () => {
  const pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    await pub.client.publish('b?vhost=unknown.example');
    await server.waitForLog(/"stream":"__defaultVhost__\/live\/b","msg":"publish started"/, 5000);
  } finally {
    await pub.client.close();
  }
});

test('a disabled vhost refuses the connect', async () => {
  await assert.rejects(RtmpClient.connect(server.rtmpUrl('live?vhost=off.local'), { timeoutMs: 5000 }));
  // And on the stream name, at publish time.
  const c = await connectRecorded(server.rtmpUrl('live'));
  await assert.rejects(c.client.publish('x?vhost=off.local'));
  await until(() => c.client.closedReason !== null, 3000, 'closed');
});

test('a publisher that stops sending media is closed after normal_timeout_ms; one that never sends after first_packet_timeout_ms', async () => {
  const quiet = await connectRecorded(server.rtmpUrl('live'));
  await quiet.client.publish('quiet');
  const silent = await connectRecorded(server.rtmpUrl('live'));
  await silent.client.publish('silent');
  const t = Date.now();
  await sendFile(quiet.client, 'av-bframes.flv', { limitMs: 500 });
  await until(() => quiet.client.closedReason !== null, 4000, 'quiet publisher closed');
  const quietAfter = Date.now() - t;
  assert.ok(quietAfter >= 900 && quietAfter < 3500, `closed after ${quietAfter} ms`);
  await until(() => silent.client.closedReason !== null, 4000, 'silent publisher closed');
  const silentAfter = Date.now() - t;
  assert.ok(silentAfter >= 1900 && silentAfter < 4500, `closed after ${silentAfter} ms`);
  assert.match(server.logs(), /no media/);
});

test('a handshake that stops midway is closed after 10 s; a connection that says nothing after the handshake after 30 s', async () => {
  const half = await rawSocket(server.rtmpPort);
  half.write(new Uint8Array(1 + 700).fill(3));
  const idle = await rawSocket(server.rtmpPort);
  const hs = new ClientHandshake();
  idle.write(hs.start());
  idle.on('data', (d: Buffer) => {
    if (!hs.done) {
      const step = hs.push(d);
      if (step.send) idle.write(step.send);
    }
  });
  const t = Date.now();
  assert.equal(await closedWithin(half, 13000), true, 'half handshake closed');
  const halfAfter = Date.now() - t;
  assert.ok(halfAfter >= 9000, `half handshake closed after ${halfAfter} ms`);
  assert.equal(await closedWithin(idle, 34000 - (Date.now() - t)), true, 'idle connection closed');
  const idleAfter = Date.now() - t;
  assert.ok(idleAfter >= 29000, `idle closed after ${idleAfter} ms`);
  assert.match(server.logs(), /handshake timeout/);
  half.destroy();
  idle.destroy();
});
