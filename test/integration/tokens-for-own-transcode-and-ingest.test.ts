// On a vhost that asks every publish and play for a token, the server's own ffmpeg
// processes still work: a transcoder reads its stream and publishes its output, an
// ingest publishes, each with a token the server made for that one stream and action;
// and the log shows their command lines with the token redacted.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until } from '../helpers/clients.ts';
import { SECRET, token } from '../helpers/tokens.ts';

let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 1,
    vhost: {
      auth: { enabled: true, secret: SECRET, publish: true, play: true },
      transcode: { enabled: true, engines: [{ name: 'copy', vcodec: 'copy', acodec: 'copy' }] },
      ingest: [{ id: 'ing', input: { type: 'file', url: `${MEDIA}av-200kbps.flv` } }],
    },
  });
});

after(async () => {
  await server.stop();
});

test('transcode and ingest publish (and read) with tokens of their own', async () => {
  const pub = publish(`${server.rtmpUrl('live')}/x?token=${await token({ act: 'publish', stream: 'live/x' })}`, 'av-1mbps.flv', { loop: true });
  try {
    await until(() => /live\/x_copy","msg":"publish started"/.test(server.logs()), 30000, 'the transcoder\'s output');
    await until(() => /live\/ing","msg":"publish started"/.test(server.logs()), 30000, 'the ingest');
    const play = await token({ act: 'play', stream: 'live/*' });
    for (const name of ['x_copy', 'ing']) {
      const streams = await ffprobeStreams(`${server.rtmpUrl('live')}/${name}?token=${play}`);
      assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video'], name);
    }
  } finally {
    await pub.stop();
  }
  const started = server.logs().split('\n').filter((l) => l.includes('process started'));
  assert.ok(started.length >= 2, 'transcode and ingest processes');
  for (const line of started) {
    assert.match(line, /token=<redacted>/);
    assert.doesNotMatch(line, /token=eyJ/);
  }
  assert.doesNotMatch(server.logs(), /refused: token/);
});
