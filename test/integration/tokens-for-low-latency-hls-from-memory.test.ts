// Play tokens on the low_latency variant: the playlist served from memory hands
// the token on to every URI in it (parts, preload hint, EXT-X-MAP, segments), also in the
// answer to a blocking reload, and .m4s / .mp4 requests need the token like .ts ones do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until, type Proc } from '../helpers/clients.ts';
import { SECRET, token } from '../helpers/tokens.ts';

let server: TestServer;
let pub: Proc;
let play: string;

before(async () => {
  server = await startServer({
    workers: 2,
    vhost: {
      auth: { enabled: true, secret: SECRET, publish: true, play: true },
      hls: { enabled: true, fragment: 2, window: 12, variant: 'low_latency', part_ms: 200 },
    },
  });
  const pubToken = await token({ act: 'publish', stream: 'live/cam' });
  play = await token({ act: 'play', stream: 'live/cam' });
  pub = publish(`${server.rtmpUrl('live/cam')}?token=${pubToken}`, 'av-1mbps.flv', { loop: true, timeoutMs: 90_000 });
  await until(async () => (await fetch(server.httpUrl(`live/cam.m3u8?token=${play}`))).status === 200, 20_000, 'the playlist');
});

after(async () => {
  await pub?.stop();
  await server?.stop();
});

test('the token goes on every URI of a live playlist, blocking reloads included; media needs it', async () => {
  const text = await (await fetch(server.httpUrl(`live/cam.m3u8?token=${play}`))).text();
  const uris = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));
  assert.ok(uris.length > 5);
  for (const u of uris) assert.ok(u.endsWith(`?token=${encodeURIComponent(play)}`) || u.endsWith(`?token=${play}`), u);
  const msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]) + text.split('\n').filter((l) => l.startsWith('#EXTINF')).length;
  const blocked = await (await fetch(server.httpUrl(`live/cam.m3u8?_HLS_msn=${msn}&_HLS_part=0&token=${play}`))).text();
  assert.match(blocked, /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="[^"?]+\?token=/);

  const part = uris.find((u) => /\.\d+\.m4s\?/.test(u))!;
  const init = uris.find((u) => u.includes('.mp4?'))!;
  for (const u of [part, init]) {
    const bare = u.split('?')[0]!;
    assert.equal((await fetch(server.httpUrl(`live/${u}`))).status, 200, u);
    assert.equal((await fetch(server.httpUrl(`live/${bare}`))).status, 401, `${bare} without a token`);
  }
  assert.equal((await fetch(server.httpUrl('live/cam.m3u8?_HLS_msn=0'))).status, 401);
});
