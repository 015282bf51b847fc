// The GOP cache: a player that joins mid-GOP gets a keyframe at once (not at the next
// one, up to 2 s away), and 20 players joining together all receive.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { ffprobeStreams, until } from '../helpers/clients.ts';
import { connectRecorded, isKeyframe, isSequenceHeader, sendFile, sleep } from '../fixtures/rtmp/our-clients.ts';

let server: TestServer;
let stop = false;
let sending: Promise<number>;
let publisherTs = 0;
let t0 = 0;
before(async () => {
  server = await startServer({ workers: 1 });
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('gop');
  t0 = Date.now();
  // av-bframes.flv: a keyframe every 2000 ms.
  sending = sendFile(pub.client, 'av-bframes.flv', { realtime: true, stop: () => stop }).finally(() => pub.client.close());
  void publisherTs;
});
after(async () => {
  stop = true;
  await sending;
  await server.stop();
});

test('a player joining 0.5 s after a keyframe gets that keyframe first, within 1 s, while the next is 1.5 s away', async () => {
  // Join at stream time ~2500 ms: keyframes at 2000 and 4000.
  await sleep(Math.max(0, 2500 - (Date.now() - t0)));
  const player = await connectRecorded(server.rtmpUrl('live'));
  try {
    const playAt = Date.now();
    await player.client.play('gop');
    const frame = (await until(
      () => player.media().find((m) => m.messageType === 9 && !isSequenceHeader(9, m.payload)),
      3000,
      'first video frame',
    ))!;
    const waited = Date.now() - playAt;
    assert.ok(isKeyframe(frame.payload), 'the first video frame is a keyframe');
    assert.ok(waited < 1000, `first frame after ${waited} ms`);
    assert.ok(frame.timestamp < 4000, `it is the cached keyframe (ts ${frame.timestamp}), not the next one at 4000`);
    const media = player.media();
    assert.ok(isSequenceHeader(media[0]!.messageType, media[0]!.payload) && isSequenceHeader(media[1]!.messageType, media[1]!.payload), 'sequence headers come first');
  } finally {
    await player.client.close();
  }
});

test('20 players at once all receive audio and video; ffprobe sees both tracks meanwhile', async () => {
  const players = await Promise.all(Array.from({ length: 20 }, () => connectRecorded(server.rtmpUrl('live'))));
  try {
    await Promise.all(players.map((p) => p.client.play('gop')));
    const streams = await ffprobeStreams(server.rtmpUrl('live/gop'));
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    await until(() => players.every((p) => p.media().filter((m) => m.messageType === 9).length > 30 && p.media().some((m) => m.messageType === 8)), 10000, 'all 20 receive');
    for (const p of players) {
      const v = p.media().filter((m) => m.messageType === 9 && !isSequenceHeader(9, m.payload));
      assert.ok(isKeyframe(v[0]!.payload));
      for (let i = 1; i < v.length; i++) assert.ok(v[i]!.timestamp >= v[i - 1]!.timestamp - 100, 'timestamps advance');
      assert.equal(p.client.closedReason, null);
    }
  } finally {
    await Promise.all(players.map((p) => p.client.close()));
  }
});
