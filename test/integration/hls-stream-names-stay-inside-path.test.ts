// The app and stream names of a publish come from the network and end up in the HLS file
// names (`[app]/[stream].m3u8`, `[app]/[stream]-[seq].ts`). Whatever a publisher calls its
// stream, the HLS muxer must write (and, with cleanup, delete) files only under `hls.path`:
// either the publish is refused or the name is made harmless.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { run } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({
    workers: 1,
    // No cleanup: whatever is written stays, so the test sees it.
    vhost: { hls: { enabled: true, path: './html', fragment: 1, window: 10, cleanup: false } },
  });
});
after(async () => {
  await server?.stop();
});

/** ffmpeg publishing 3 s of a file with the RTMP app and stream name given as is. */
function publishAs(app: string, stream: string) {
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-t', '3', '-i', MEDIA + 'av-200kbps.flv', '-c', 'copy', '-f', 'flv',
    '-rtmp_app', app, '-rtmp_playpath', stream, `rtmp://127.0.0.1:${server.rtmpPort}/ignored/ignored`];
  return run('ffmpeg', args, 20000);
}

test('app or stream names with ".." never make HLS write files outside hls.path', async () => {
  // hls.path is <dir>/html: each of these names points at <dir> itself.
  await Promise.all([
    publishAs('live', '../../escape-stream').done,
    publishAs('..', 'escape-app').done,
    publishAs('live/../..', 'escape-mixed').done,
  ]);
  await new Promise((r) => setTimeout(r, 500));
  const outside = readdirSync(server.dir).filter((f) => /\.(m3u8|ts|tmp)$/.test(f));
  assert.deepEqual(outside, [], `HLS files written outside hls.path (${join(server.dir, 'html')}), in ${server.dir}`);
});
