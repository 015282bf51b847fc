import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep } from '../helpers/clients.ts';

let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 2,
    vhost: {
      transcode: {
        enabled: true,
        engines: [
          { name: 'ld', vcodec: 'libx264', vwidth: 320, vheight: 180, vbitrate: 200, vfps: 25, vprofile: 'baseline', vpreset: 'ultrafast', acodec: 'aac', abitrate: 48, asample_rate: 44100, achannels: 2 },
          { name: 'copy', vcodec: 'copy', acodec: 'copy' },
          { name: 'off', enabled: false, vcodec: 'copy', acodec: 'copy' },
        ],
      },
    },
  });
});

after(async () => {
  await server.stop();
});

test('each enabled engine publishes [stream]_[engine]; outputs are never transcoded again', async () => {
  const pub = publish(server.rtmpUrl('live/x'), 'av-1mbps.flv', { loop: true });
  try {
    await server.waitForLog(/live\/x","msg":"publish started"/, 10000);
    await until(() => /x_ld","msg":"publish started"/.test(server.logs()) && /x_copy","msg":"publish started"/.test(server.logs()), 20000, 'both outputs published');

    const ld = await ffprobeStreams(server.rtmpUrl('live/x_ld'));
    const ldVideo = ld.find((s) => s.codec_type === 'video');
    assert.equal(ldVideo?.codec_name, 'h264');
    assert.equal(ldVideo?.width, 320);
    assert.equal(ldVideo?.height, 180);
    assert.equal(ld.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');

    const copy = await ffprobeStreams(server.rtmpUrl('live/x_copy'));
    const copyVideo = copy.find((s) => s.codec_type === 'video');
    assert.equal(copyVideo?.width, 1280);
    assert.equal(copyVideo?.height, 720);
    assert.equal(copy.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');

    await sleep(1000);
    const logs = server.logs();
    assert.doesNotMatch(logs, /x_ld_ld|x_copy_copy|x_ld_copy|x_copy_ld|x_off/);
    assert.doesNotMatch(logs, /transcode [^"]*live\/x_(ld|copy) engine/);
    const started = logs.split('\n').filter((l) => /"process started"/.test(l) && /transcode/.test(l));
    assert.equal(started.length, 2, started.join('\n'));
  } finally {
    await pub.stop();
  }
  // The transcoders stop with the source: their outputs are unpublished too.
  await until(() => (server.logs().match(/"process stopped"/g) ?? []).length >= 2, 10000, 'transcoders stopped');
});
