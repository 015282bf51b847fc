// A graceful stop (SIGTERM) while a low_latency stream is live finishes its HLS on
// disk like the mpegts variant: the disk copy is written asynchronously while live, and what is
// left when the stream ends is finished synchronously before the worker is terminated. So the
// playlist on disk has EXT-X-ENDLIST, lists no parts, and every segment and init segment it
// names is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';

test('SIGTERM during a low_latency publish leaves a finished playlist and its files', { timeout: 60_000 }, async () => {
  const server = await startServer({ vhost: { hls: { enabled: true, fragment: 1, window: 60, variant: 'low_latency', cleanup: false } } });
  const pub = publish(server.rtmpUrl('live/gs'), 'av-200kbps.flv', { timeoutMs: 40_000 });
  try {
    await until(async () => {
      const r = await fetch(server.httpUrl('live/gs.m3u8')).catch(() => null);
      return r?.status === 200 && ((await r.text()).match(/#EXTINF/g) ?? []).length >= 3;
    }, 20_000, 'three segments');
    const exited = new Promise<number | null>((r) => server.proc.once('exit', (code) => r(code)));
    server.proc.kill('SIGTERM');
    assert.equal(await exited, 0);
    const dir = join(server.dir, 'html', 'live');
    const text = readFileSync(join(dir, 'gs.m3u8'), 'utf8');
    assert.match(text, /#EXT-X-ENDLIST\n$/);
    assert.doesNotMatch(text, /#EXT-X-PART|#EXT-X-PRELOAD-HINT|#EXT-X-SERVER-CONTROL/);
    const names = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));
    assert.ok(names.length >= 4, text);
    for (const n of names) assert.ok(existsSync(join(dir, n)), `${n} on disk`);
  } finally {
    await pub.stop();
    await server.stop();
  }
});
