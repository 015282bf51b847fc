// on_hls for the fmp4 and low_latency variants: one call per complete
// segment (never per part), with SRS's fields, seq_no the segment's media sequence number,
// and the .m4s file already on disk when the call is made (the disk copy is written off the
// hot path, and the hook waits for it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, sleep, until } from '../helpers/clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';

let hooks: HookReceiver;
before(async () => {
  hooks = await startHookReceiver(() => '{"code":0}');
});
after(async () => {
  await hooks.close();
});

for (const variant of ['fmp4', 'low_latency'] as const) {
  test(`${variant}: every segment fires on_hls once, with its .m4s on disk`, async () => {
    const server: TestServer = await startServer({
      vhost: {
        hls: { enabled: true, fragment: 2, window: 60, cleanup: false, variant },
        http_hooks: { enabled: true, on_hls: [`${hooks.url}/on_hls`] },
      },
    });
    const stream = `hk-${variant}`;
    const pub = publish(server.rtmpUrl(`live/${stream}`), 'av-200kbps.flv');
    try {
      await until(() => hooks.hits.filter((h) => h.body.stream === stream).length >= 3, 20_000, 'three on_hls');
      await sleep(300);
    } finally {
      await pub.stop();
    }
    await sleep(1000);
    const calls = hooks.hits.filter((h) => h.body.stream === stream);
    calls.forEach((h, i) => {
      const b = h.body;
      assert.equal(b.action, 'on_hls');
      assert.equal(b.seq_no, i);
      assert.equal(b.url, `live/${stream}-${i}.m4s`);
      assert.equal(b.m3u8_url, `live/${stream}.m3u8`);
      assert.equal(b.file, join(server.dir, 'html', 'live', `${stream}-${i}.m4s`));
      assert.ok(existsSync(b.file as string), `${b.file} on disk`);
      if (i < calls.length - 1) assert.ok(Math.abs((b.duration as number) - 2) < 0.2, `duration ${b.duration}`);
    });
    await server.stop();
  });
}
