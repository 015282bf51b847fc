import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';

test('SIGTERM during publish: exit 0 within 10 s, the HLS playlist ends with ENDLIST, the pid file goes', async () => {
  const server = await startServer({ vhost: { hls: { enabled: true, fragment: 1, window: 6, cleanup: false } } });
  const pub = publish(server.rtmpUrl('live/term'), 'av-1mbps.flv', { loop: true });
  try {
    const m3u8 = join(server.dir, 'html', 'live', 'term.m3u8');
    await until(() => existsSync(m3u8), 15000, 'the HLS playlist');
    assert.ok(existsSync(join(server.dir, 'sluice.pid')));
    assert.equal(readFileSync(join(server.dir, 'sluice.pid'), 'utf8').trim(), String(server.proc.pid));
    const started = Date.now();
    server.proc.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => server.proc.once('exit', (c) => r(c)));
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000, `stopped in ${Date.now() - started} ms`);
    assert.match(readFileSync(m3u8, 'utf8'), /#EXT-X-ENDLIST\s*$/);
    assert.equal(existsSync(join(server.dir, 'sluice.pid')), false);
    // The publisher saw its connection end.
    const r = await pub.done;
    assert.notEqual(r.code, null);
  } finally {
    await pub.stop();
    await server.stop();
  }
});
