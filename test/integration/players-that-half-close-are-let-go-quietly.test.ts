// Players that shut down their sending side (a FIN, the socket still open to read) while
// the stream plays, through the running server: the server closes each connection, logs
// no write error, and a player beside them keeps playing. (Node ends the server's side on
// such a FIN; a view written while that end waited behind queued bytes raised
// ERR_STREAM_WRITE_AFTER_END, 431 times when 2,000 HTTP-FLV viewers left at the end of a
// benchmark. That window needs a full socket buffer, so the unit test of the sinks
// reproduces it; here the sockets drain at once.)
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, rawSocket, closedWithin, sendFile, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { until, sleep } from '../helpers/clients.ts';

let server: TestServer;
let publisher: Recorded;
let publishing: Promise<number>;
let stopPublishing = false;

before(async () => {
  server = await startServer({ workers: 1 });
  publisher = await connectRecorded(server.rtmpUrl('live'));
  await publisher.client.publish('half');
  publishing = sendFile(publisher.client, 'av-1mbps.flv', { realtime: true, stop: () => stopPublishing });
});
after(async () => {
  stopPublishing = true;
  await publishing.catch(() => 0);
  await publisher.client.close();
  await server.stop();
});

test('HTTP-FLV and RTMP players that half-close are closed by the server without a write error; a player beside them plays on', { timeout: 60_000 }, async () => {
  const steady = await connectRecorded(server.rtmpUrl('live'));
  await steady.client.play('half');
  await until(() => steady.media().length > 10, 10_000, 'the steady player plays');

  for (let round = 0; round < 3; round++) {
    // HTTP-FLV: the request, some of the body, then FIN from the viewer
    const viewer = await rawSocket(server.httpPort);
    let received = 0;
    viewer.on('data', (d: Buffer) => (received += d.length));
    viewer.write('GET /live/half.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => received > 20_000, 10_000, `round ${round}: the HTTP-FLV viewer gets media`);
    viewer.end();
    assert.ok(await closedWithin(viewer, 5000), `round ${round}: the server closes the half-closed HTTP-FLV connection`);
    viewer.destroy();

    // RTMP: a playing client shuts down its sending side without deleteStream
    const player = await connectRecorded(server.rtmpUrl('live'));
    await player.client.play('half');
    await until(() => player.media().length > 10, 10_000, `round ${round}: the RTMP player gets media`);
    player.client.socket.end();
    assert.ok(await closedWithin(player.client.socket, 5000), `round ${round}: the server closes the half-closed RTMP connection`);
    player.client.destroy();
  }

  // the views in flight when they left have had their callbacks
  await sleep(500);
  const before = steady.media().length;
  await until(() => steady.media().length > before + 20, 10_000, 'the steady player still plays');
  const errors = server.logs().split('\n').filter((l) => /WRITE_AFTER_END|write after end/.test(l));
  assert.deepEqual(errors, [], 'no write after end');
  assert.equal(server.proc.exitCode, null);
  await steady.client.close();
});
