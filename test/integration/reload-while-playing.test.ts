import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { parse, stringify } from 'yaml';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until, sleep } from '../helpers/clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';

let server: TestServer;
let hookServer: http.Server;
const hookEvents: string[] = [];
let hookPort = 0;

before(async () => {
  hookServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        hookEvents.push((JSON.parse(body) as { action: string }).action);
      } catch {
        hookEvents.push('bad-body');
      }
      res.end('0');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  hookPort = (hookServer.address() as { port: number }).port;
  server = await startServer({ workers: 2, vhost: { hls: { enabled: true, fragment: 1, window: 6, cleanup: false } } });
});
after(async () => {
  await server.stop();
  hookServer.close();
});

function configPath(): string {
  return join(server.dir, 'sluice.yaml');
}

function rewriteConfig(edit: (c: Record<string, any>) => void): void {
  const c = parse(readFileSync(configPath(), 'utf8')) as Record<string, any>;
  edit(c);
  writeFileSync(configPath(), stringify(c));
}

test('SIGHUP: a player keeps playing while HLS is turned off and a hook is added; a new publish sees the new config; an invalid file changes nothing', async () => {
  const pub = publish(server.rtmpUrl('live/reload'), 'av-1mbps.flv', { loop: true });
  const player = await RtmpClient.connect(server.rtmpUrl('live'));
  let lastMediaAt = 0;
  let mediaCount = 0;
  player.on('media', () => {
    lastMediaAt = Date.now();
    mediaCount++;
  });
  try {
    await player.play('reload');
    const m3u8 = join(server.dir, 'html', 'live', 'reload.m3u8');
    await until(() => existsSync(m3u8), 15000, 'the HLS playlist');

    rewriteConfig((c) => {
      c.vhosts.__defaultVhost__.hls.enabled = false;
      c.vhosts.__defaultVhost__.http_hooks = { enabled: true, on_publish: [`http://127.0.0.1:${hookPort}/hook`] };
    });
    server.proc.kill('SIGHUP');
    await server.waitForLog(/configuration reloaded/);
    // HLS of the live stream stops at once: its playlist ends.
    await until(() => readFileSync(m3u8, 'utf8').includes('#EXT-X-ENDLIST'), 5000, 'ENDLIST after HLS was turned off');
    const before = mediaCount;
    await sleep(1500);
    assert.ok(mediaCount > before, 'the player kept receiving media across the reload');
    assert.ok(Date.now() - lastMediaAt < 1000, 'media is still flowing');
    assert.equal(player.closedReason, null);

    // A new publish runs with the new config: the on_publish hook is called.
    const pub2 = publish(server.rtmpUrl('live/second'), 'av-200kbps.flv');
    try {
      await until(() => hookEvents.includes('on_publish'), 10000, 'on_publish after reload');
    } finally {
      await pub2.stop();
    }

    // An invalid config is refused and the old one stays.
    const good = readFileSync(configPath(), 'utf8');
    writeFileSync(configPath(), good + '\nchunk_size: 5\nunknown_key: 1\n');
    server.proc.kill('SIGHUP');
    await server.waitForLog(/reload refused/);
    assert.match(server.logs(), /config error: chunk_size/);
    assert.match(server.logs(), /config error: unknown_key: unknown key/);
    await sleep(800);
    assert.ok(Date.now() - lastMediaAt < 1000, 'still playing after a refused reload');
    assert.equal(server.proc.exitCode, null);
    writeFileSync(configPath(), good);
  } finally {
    player.close();
    await pub.stop();
  }
});
