// Our RTMP client publishes av-bframes.flv and another of our clients, which started
// playing first, receives every message with its timestamp and bytes.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, flvTags, sendFile, sleep } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

test('every audio and video message of av-bframes.flv reaches a player that came first, in order and intact', async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  const pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    await player.client.play('ours');
    await pub.client.publish('ours');
    // Four times real time: fast, yet well inside the server's 10 s queue per player.
    await sendFile(pub.client, 'av-bframes.flv', { realtime: true, speed: 4 });
    const want = flvTags('av-bframes.flv').filter((t) => t.type === 8 || t.type === 9);
    await until(() => player.media().length >= want.length, 15000, `${want.length} media messages`).catch((e) => {
      const m = player.media();
      throw new Error(`${e.message}: got ${m.length}, last ${m.at(-1)?.timestamp}, closed ${player.client.closedReason}\n${server.logs().slice(-2000)}`);
    });
    const got = player.media();
    assert.equal(got.length, want.length);
    // Per track, in order; across tracks the server may put the two sequence headers
    // first (audio, then video, as SRS does), so interleaving is compared after them.
    for (const type of [8, 9]) {
      const g = got.filter((m) => m.messageType === type);
      const w = want.filter((t) => t.type === type);
      assert.equal(g.length, w.length, `type ${type} count`);
      for (let i = 0; i < w.length; i++) {
        assert.equal(g[i]!.timestamp, w[i]!.timestamp, `type ${type} message ${i} timestamp`);
        assert.ok(Buffer.from(g[i]!.payload).equals(Buffer.from(w[i]!.data)), `type ${type} message ${i} payload`);
      }
    }
    const order = (xs: { type: number; ts: number }[]) => xs.slice(2).map((x) => `${x.type}@${x.ts}`);
    assert.deepEqual(
      order(got.map((m) => ({ type: m.messageType, ts: m.timestamp }))),
      order(want.map((t) => ({ type: t.type, ts: t.timestamp }))),
    );
    const meta = player.events.find((e) => e.type === 'data' && e.name === 'onMetaData');
    assert.ok(meta, 'the player got onMetaData');
  } finally {
    await pub.client.close();
    await player.client.close();
  }
});

test('the last media message a publisher sends right before FCUnpublish still reaches the player', async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  const pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    await player.client.play('tail');
    await pub.client.publish('tail');
    await sendFile(pub.client, 'av-bframes.flv', { realtime: true, speed: 4, limitMs: 3000 });
    await pub.client.close(); // FCUnpublish + deleteStream, in the same burst as the last frames
    await until(() => player.statuses().includes('NetStream.Play.UnpublishNotify'), 5000, 'UnpublishNotify');
    await sleep(300);
    const want = flvTags('av-bframes.flv').filter((t) => (t.type === 8 || t.type === 9) && t.timestamp <= 3000);
    const got = new Set(player.media().map((m) => `${m.messageType}@${m.timestamp}`));
    const missing = want.filter((t) => !got.has(`${t.type}@${t.timestamp}`)).map((t) => `${t.type}@${t.timestamp}`);
    assert.deepEqual(missing, [], 'messages the player never got');
  } finally {
    await player.client.close();
  }
});
