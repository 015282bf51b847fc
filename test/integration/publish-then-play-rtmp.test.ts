import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(async () => {
  await server.stop();
});

test('ffmpeg publishes av-1mbps.flv; ffprobe sees H.264 1280x720 and AAC 44.1 kHz stereo over RTMP and HTTP-FLV', async () => {
  const pub = publish(server.rtmpUrl('live/a'), 'av-1mbps.flv', { loop: true });
  try {
    await server.waitForLog(/publish started/);
    for (const url of [server.rtmpUrl('live/a'), server.httpUrl('live/a.flv')]) {
      const streams = await ffprobeStreams(url);
      assert.equal(streams.length, 2, `${url}: ${JSON.stringify(streams)}`);
      const video = streams.find((s) => s.codec_type === 'video');
      const audio = streams.find((s) => s.codec_type === 'audio');
      assert.equal(video?.codec_name, 'h264');
      assert.equal(video?.width, 1280);
      assert.equal(video?.height, 720);
      assert.equal(audio?.codec_name, 'aac');
      assert.equal(audio?.sample_rate, '44100');
      assert.equal(audio?.channels, 2);
    }
  } finally {
    await pub.stop();
  }
  await until(() => /unpublished|rtmp connection closed/.test(server.logs()), 10000, 'unpublish');
});
