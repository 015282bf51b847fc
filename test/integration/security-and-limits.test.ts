import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep } from '../helpers/clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';

test('security rules: deny publish from 127.0.0.1 on one vhost, allow play; refer rules by pageUrl', async () => {
  const server = await startServer({
    config: {
      vhosts: {
        __defaultVhost__: {
          hls: { enabled: false },
          security: { enabled: true, rules: [{ action: 'deny', method: 'publish', from: '127.0.0.0/8' }] },
        },
        'refer.test': {
          hls: { enabled: false },
          refer: { enabled: true, play: ['good.example'] },
        },
      },
    },
  });
  try {
    const pub = publish(server.rtmpUrl('live/denied'), 'av-200kbps.flv');
    const r = await pub.done;
    assert.notEqual(r.code, 0, 'ffmpeg cannot publish');
    assert.match(server.logs(), /publish denied by the security rules/);
    assert.doesNotMatch(server.logs(), /publish started/);

    // refer: a play whose pageUrl is not listed is closed; a listed one plays.
    const p2 = publish(server.rtmpUrl('live?vhost=refer.test/x'), 'av-200kbps.flv', { loop: true });
    try {
      await server.waitForLog(/publish started/);
      const bad = await RtmpClient.connect(server.rtmpUrl('live?vhost=refer.test'), { connectExtra: { pageUrl: 'http://evil.example/' } });
      const badPlay = bad.play('x').catch(() => 'refused');
      await until(() => bad.closedReason !== null, 5000, 'the bad referer to be closed');
      await badPlay;
      const good = await RtmpClient.connect(server.rtmpUrl('live?vhost=refer.test'), { connectExtra: { pageUrl: 'https://www.good.example/p' } });
      let media = 0;
      good.on('media', () => media++);
      await good.play('x');
      await until(() => media > 5, 10000, 'media for the good referer');
      good.close();
    } finally {
      await p2.stop();
    }
  } finally {
    await server.stop();
  }
});

test('max_connections: the connection over the limit is refused while the others go on', async () => {
  const server = await startServer({ workers: 2, config: { max_connections: 3 } });
  try {
    const pub = publish(server.rtmpUrl('live/limit'), 'av-200kbps.flv', { loop: true });
    try {
      await server.waitForLog(/publish started/);
      const players = [await RtmpClient.connect(server.rtmpUrl('live')), await RtmpClient.connect(server.rtmpUrl('live'))];
      const counts = [0, 0];
      players.forEach((p, i) => p.on('media', () => counts[i]++));
      for (const p of players) await p.play('limit');
      // The fourth connection (publisher + 2 players = 3) is refused at accept.
      const extra = net.connect(server.rtmpPort, '127.0.0.1');
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 3000);
      });
      assert.equal(closed, true, 'the connection over max_connections is closed');
      await server.waitForLog(/max_connections reached/);
      const before = [...counts];
      await sleep(1500);
      assert.ok(counts[0] > before[0] && counts[1] > before[1], 'the others go on');
      for (const p of players) p.close();
      // Once they have gone, a new one is accepted again.
      await sleep(500);
      const streams = await ffprobeStreams(server.rtmpUrl('live/limit'));
      assert.equal(streams.length, 2);
    } finally {
      await pub.stop();
    }
  } finally {
    await server.stop();
  }
});
