// HTTP hooks with real clients: the events of a publish / RTMP play / HTTP-FLV play cycle
// arrive in SRS's order with SRS's fields, and answering
// `1` to on_publish refuses the publisher.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, run, until, sleep } from '../helpers/clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';

let server: TestServer;
let hooks: HookReceiver;

const EVENTS = ['on_connect', 'on_close', 'on_publish', 'on_unpublish', 'on_play', 'on_stop'];
const FIELDS: Record<string, string[]> = {
  on_connect: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'stream', 'param', 'tcUrl', 'pageUrl'],
  on_close: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'send_bytes', 'recv_bytes'],
  on_publish: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param', 'stream_url', 'stream_id'],
  on_unpublish: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param', 'stream_url', 'stream_id'],
  on_play: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'stream', 'tcUrl', 'param', 'pageUrl', 'stream_url', 'stream_id'],
  on_stop: ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param', 'stream_url', 'stream_id'],
};

before(async () => {
  hooks = await startHookReceiver((hit) => (hit.body.action === 'on_publish' && hit.body.stream === 'deny' ? '1' : '{"code":0}'));
  const http_hooks: Record<string, unknown> = { enabled: true };
  for (const e of EVENTS) http_hooks[e] = [`${hooks.url}/${e}`];
  server = await startServer({ workers: 2, vhost: { http_hooks } });
  await waitForPort(server.apiPort);
});

after(async () => {
  await server.stop();
  await hooks.close();
});

async function api(path: string): Promise<Record<string, any>> {
  return (await server.api(path)).json() as Promise<Record<string, any>>;
}

test('publish, RTMP play, HTTP-FLV play, unpublish: every hook with every field, in order', async () => {
  const tcUrl = `rtmp://127.0.0.1:${server.rtmpPort}/live`;
  const pub = publish(`${tcUrl}/hk?token=abc`, 'av-1mbps.flv', { loop: true });
  let flv: AbortController | null = null;
  try {
    await until(() => hooks.hits.some((h) => h.body.action === 'on_publish'), 15000, 'on_publish');
    const streamId = await until(async () => (await api('/api/v1/streams/')).streams?.[0]?.id as string | undefined, 10000, 'stream in the API');
    const versions = await api('/api/v1/versions');

    const player = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', `${tcUrl}/hk?ptoken=xyz`, '-t', '1', '-f', 'null', '-'], 20000);
    const played = await player.done;
    assert.equal(played.code, 0, played.stderr);
    await until(() => hooks.hits.filter((h) => h.body.action === 'on_close').length >= 1, 10000, 'on_close of the player');

    // HTTP-FLV viewer, held until the stream ends.
    flv = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.httpPort}/live/hk.flv?ftoken=1`, { signal: flv.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    const drained = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return;
      } catch {
        // aborted
      }
    })();
    await until(() => hooks.hits.filter((h) => h.body.action === 'on_play').length >= 2, 5000, 'on_play of the FLV viewer');

    await pub.stop();
    await until(() => hooks.hits.filter((h) => h.body.action === 'on_close').length >= 2, 10000, 'on_close of the publisher');
    await until(() => hooks.hits.filter((h) => h.body.action === 'on_stop').length >= 2, 10000, 'on_stop of the FLV viewer');
    await Promise.race([drained, sleep(3000)]);

    const seq = hooks.hits.map((h) => h.body);
    const pubId = seq.find((b) => b.action === 'on_publish')!.client_id;
    const playerId = seq.find((b) => b.action === 'on_play')!.client_id;
    const flvId = seq.filter((b) => b.action === 'on_play')[1]!.client_id;
    const label = (b: Record<string, unknown>) => `${b.action}:${b.client_id === pubId ? 'pub' : b.client_id === playerId ? 'player' : b.client_id === flvId ? 'flv' : '?'}`;
    const order = seq.map(label);
    // The RTMP part is strictly ordered, as in SRS; the FLV viewer's stop follows the unpublish.
    assert.deepEqual(order.filter((l) => !l.endsWith(':flv')), [
      'on_connect:pub', 'on_publish:pub', 'on_connect:player', 'on_play:player', 'on_stop:player', 'on_close:player', 'on_unpublish:pub', 'on_close:pub',
    ]);
    assert.deepEqual(order.filter((l) => l.endsWith(':flv')), ['on_play:flv', 'on_stop:flv']);
    assert.ok(order.indexOf('on_play:flv') > order.indexOf('on_close:player'));

    for (const hit of hooks.hits) {
      const b = hit.body;
      const action = String(b.action);
      assert.equal(hit.path, `/${action}`);
      assert.deepEqual(Object.keys(b), FIELDS[action], `${action} fields`);
      assert.equal(b.server_id, versions.server);
      assert.equal(b.service_id, versions.service);
      assert.equal(b.ip, '127.0.0.1');
      assert.equal(b.vhost, '__defaultVhost__');
      assert.equal(b.app, 'live');
      if (action !== 'on_close') {
        assert.equal(b.stream, 'hk');
        assert.equal(b.stream_url ?? '/live/hk', '/live/hk');
      }
      if ('stream_id' in b) assert.equal(b.stream_id, streamId, `${action} stream_id`);
      if ('pageUrl' in b) assert.equal(b.pageUrl, '');
      assert.match(String(b.client_id), /^[0-9a-z]{8}$/);
    }
    const of = (action: string, id: unknown) => seq.find((b) => b.action === action && b.client_id === id)!;
    assert.equal(of('on_connect', pubId).param, '?token=abc');
    assert.equal(of('on_connect', pubId).tcUrl, tcUrl);
    assert.equal(of('on_publish', pubId).param, '?token=abc');
    assert.equal(of('on_publish', pubId).tcUrl, tcUrl);
    assert.equal(of('on_play', playerId).param, '?ptoken=xyz');
    assert.equal(of('on_play', playerId).tcUrl, tcUrl);
    assert.equal(of('on_stop', playerId).param, '?ptoken=xyz');
    assert.equal(of('on_play', flvId).param, '?ftoken=1');
    assert.equal(of('on_play', flvId).tcUrl, 'rtmp://__defaultVhost__/live');
    const pubClose = of('on_close', pubId);
    const playerClose = of('on_close', playerId);
    assert.ok(Number(pubClose.recv_bytes) > 100_000, `publisher recv_bytes ${pubClose.recv_bytes}`);
    assert.ok(Number(pubClose.send_bytes) > 0);
    assert.ok(Number(playerClose.send_bytes) > 100_000, `player send_bytes ${playerClose.send_bytes}`);
    assert.ok(Number(playerClose.recv_bytes) > 0);
  } finally {
    flv?.abort();
    await pub.stop();
  }
});

test('answering 1 to on_publish refuses the publish: ffmpeg fails, no stream appears, no on_unpublish', async () => {
  const before = hooks.hits.length;
  const pub = publish(server.rtmpUrl('live/deny'), 'av-1mbps.flv', { timeoutMs: 20000 });
  const r = await pub.done;
  assert.notEqual(r.code, 0);
  await until(() => hooks.hits.slice(before).some((h) => h.body.action === 'on_close'), 5000, 'on_close of the refused publisher');
  const mine = hooks.hits.slice(before).map((h) => h.body.action);
  assert.deepEqual(mine, ['on_connect', 'on_publish', 'on_close']);
  const streams = (await api('/api/v1/streams/')).streams as unknown[];
  assert.equal(streams.length, 0);
  assert.doesNotMatch(server.logs(), /"stream":"__defaultVhost__\/live\/deny"[^\n]*publish started/);
});
