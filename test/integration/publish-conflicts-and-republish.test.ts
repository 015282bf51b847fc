// One publisher per stream: a second one is refused (NetStream.Publish.BadName, then
// closed) without disturbing the first; players that came first, or stayed through an
// unpublish, get the stream when it (re)starts.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';
import { connectRecorded, sendFile, sleep } from '../fixtures/rtmp/our-clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

test('a second publisher gets NetStream.Publish.BadName and is closed; the first and its player carry on', async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  await player.client.play('busy');
  const first = await connectRecorded(server.rtmpUrl('live'));
  await first.client.publish('busy');
  let stop = false;
  const sending = sendFile(first.client, 'av-bframes.flv', { realtime: true, stop: () => stop });
  try {
    await until(() => player.media().length > 10, 5000, 'player media');
    const second = await connectRecorded(server.rtmpUrl('live'));
    await assert.rejects(second.client.publish('busy'), /BadName/);
    const bad = second.events.find((e) => e.type === 'status' && e.code === 'NetStream.Publish.BadName');
    assert.ok(bad && bad.type === 'status' && bad.level === 'error', 'BadName with level error');
    assert.ok(!second.statuses().some((c, i) => c === 'NetStream.Publish.Start' && second.events.filter((e) => e.type === 'status')[i]!.name === 'onStatus'), 'no onStatus Publish.Start');
    await until(() => second.client.closedReason !== null, 5000, 'the second publisher closed');

    // ffmpeg as the second publisher fails; the first is still there.
    const ff = publish(server.rtmpUrl('live/busy'), 'av-bframes.flv', { timeoutMs: 15000 });
    const r = await ff.done;
    assert.notEqual(r.code, 0, 'second ffmpeg exits with an error');
    const n = player.media().length;
    const lastTs = player.media().at(-1)!.timestamp;
    await until(() => player.media().length > n + 20 && player.media().at(-1)!.timestamp > lastTs, 5000, 'player keeps receiving');
    assert.equal(first.client.closedReason, null, 'the first publisher is untouched');
  } finally {
    stop = true;
    await sending;
    await first.client.close();
    await player.client.close();
  }
});

test('republish: a player that stayed gets UnpublishNotify, then media again from the new publisher', async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  await player.client.play('again');
  for (let round = 0; round < 2; round++) {
    const pub = await connectRecorded(server.rtmpUrl('live'));
    await pub.client.publish('again');
    await sendFile(pub.client, 'av-bframes.flv', { realtime: true, speed: 2, limitMs: 2500 });
    await sleep(200);
    await pub.client.close();
    await until(() => player.statuses().filter((c) => c === 'NetStream.Play.UnpublishNotify').length === round + 1, 5000, `UnpublishNotify ${round + 1}`);
  }
  const ev = player.events;
  const firstNotify = ev.findIndex((e) => e.type === 'status' && e.code === 'NetStream.Play.UnpublishNotify');
  const after1 = ev.slice(firstNotify + 1);
  const mediaAfter = after1.filter((e) => e.type === 'media');
  assert.ok(mediaAfter.length > 50, `media after republish: ${mediaAfter.length}`);
  // The new stream starts with sequence headers again.
  const firstVideo = mediaAfter.find((e) => e.type === 'media' && e.messageType === 9);
  assert.ok(firstVideo && firstVideo.type === 'media' && firstVideo.payload[1] === 0, 'video sequence header first after republish');
  assert.equal(player.client.closedReason, null);
  await player.client.close();
});

test('ffmpeg as a second publisher of an ffmpeg-published stream exits with an error; the first keeps publishing', async () => {
  const first = publish(server.rtmpUrl('live/ff'), 'av-200kbps.flv', { loop: true });
  try {
    await until(() => /publish started[^\n]*/.test(server.logs()) && server.logs().includes('live/ff'), 10000, 'first publish');
    const second = publish(server.rtmpUrl('live/ff'), 'av-200kbps.flv', { timeoutMs: 15000 });
    const r = await second.done;
    assert.notEqual(r.code, 0);
    assert.equal(first.proc.exitCode, null, 'the first ffmpeg is still running');
    const player = await connectRecorded(server.rtmpUrl('live'));
    await player.client.play('ff');
    await until(() => player.media().length > 10, 5000, 'media of the first publisher');
    await player.client.close();
  } finally {
    await first.stop();
  }
});
