// Publish and play tokens with real clients: ffmpeg publishes with a
// token, ffprobe, rtmpdump and HTTP clients play with one; every bad token (expired,
// wrong secret, wrong action, wrong stream, nbf ahead, garbage, alg none, none at all)
// is refused before anything starts (NetStream.Publish.BadName / Play.Failed, or 401),
// before the IP rules and the hooks, with a log line saying why and never the token.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, NODE, type TestServer } from '../helpers/server.ts';
import { publish, run, until, sleep, ffprobeStreams, type Proc } from '../helpers/clients.ts';
import { httpGet } from '../helpers/http-get.ts';
import { connectRecorded, closedWithin } from '../fixtures/rtmp/our-clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';
import { algNone, handMade, nowS, SECRET, token } from '../helpers/tokens.ts';

const BIN = new URL('../../bin/sluice.js', import.meta.url).pathname;
const EVENTS = ['on_connect', 'on_close', 'on_publish', 'on_unpublish', 'on_play', 'on_stop'];

let server: TestServer;
let hooks: HookReceiver;
/** Every token a test used: none may appear in the server's log. */
const used: string[] = [];

async function tok(...args: Parameters<typeof token>): Promise<string> {
  const t = await token(...args);
  used.push(t);
  return t;
}

before(async () => {
  hooks = await startHookReceiver(() => '0');
  const http_hooks: Record<string, unknown> = { enabled: true };
  for (const e of EVENTS) http_hooks[e] = [`${hooks.url}/${e}`];
  const auth = { enabled: true, secret: SECRET, publish: true, play: true };
  server = await startServer({
    workers: 1,
    config: {
      vhosts: {
        __defaultVhost__: { auth, http_hooks, hls: { enabled: true, path: './html', fragment: 1, window: 8, cleanup: true } },
        // Tokens first, then IP rules: this vhost denies every publish by IP.
        sec: { auth, http_hooks, hls: { enabled: false }, security: { enabled: true, rules: [{ action: 'deny', method: 'publish', from: 'all' }] } },
      },
    },
  });
  await until(async () => (await fetch(`http://127.0.0.1:${server.apiPort}/api/v1/versions`).catch(() => null))?.ok, 10000, 'the API');
});

after(async () => {
  await server?.stop();
  await hooks?.close();
});

async function api(path: string): Promise<Record<string, any>> {
  return (await fetch(`http://127.0.0.1:${server.apiPort}${path}`)).json() as Promise<Record<string, any>>;
}

/** Our client publishes `name` (with its query); the server must refuse with BadName and close. */
async function refusedPublish(name: string): Promise<string[]> {
  const rec = await connectRecorded(server.rtmpUrl('live'));
  await assert.rejects(rec.client.publish(name), /NetStream\.Publish\.BadName/);
  assert.ok(await closedWithin(rec.client.socket, 5000), `${name}: the server did not close the connection`);
  const statuses = rec.events.flatMap((e) => (e.type === 'status' ? [`${e.name}:${e.code}:${e.level}`] : []));
  assert.ok(statuses.includes('onStatus:NetStream.Publish.BadName:error'), statuses.join(', '));
  assert.ok(!statuses.some((s) => s.includes('Publish.Start')), `Publish.Start sent: ${statuses.join(', ')}`);
  rec.client.destroy();
  return statuses;
}

test('RTMP publish with a bad or missing token: Publish.BadName, closed, before the hooks, and the log says why', async () => {
  const now = nowS();
  const cases: [string, string | null, string][] = [
    ['no-token', null, 'no token'],
    ['expired', await tok({ act: 'publish', ttl: 1, now: now - 100 }), 'expired'],
    ['wrong-secret', handMade({ alg: 'HS256', typ: 'JWT' }, { act: 'publish', exp: now + 600 }, 'not-the-secret'), 'bad signature'],
    ['wrong-action', await tok({ act: 'play' }), 'wrong action'],
    ['wrong-stream', await tok({ act: 'publish', stream: 'live/other' }), 'wrong stream'],
    ['wrong-prefix', await tok({ act: 'publish', stream: 'vod/*' }), 'wrong stream'],
    ['nbf-ahead', await tok({ act: 'publish', nbf: 300 }), 'not yet valid'],
    ['garbage', 'garbage.garbage.garbage', 'malformed token'],
    ['alg-none', algNone({ act: 'publish', exp: now + 600 }), 'algorithm not allowed'],
  ];
  for (const [stream, t, why] of cases) {
    if (t) used.push(t);
    await refusedPublish(t === null ? `bad-${stream}` : `bad-${stream}?token=${t}`);
    const line = await server.waitForLog(new RegExp(`publish of live/bad-${stream} refused: token ${why}`), 5000);
    assert.match(line, /"level":30/, 'an ordinary refusal is an info line');
  }
  // Auth comes before the hooks: none of these reached on_connect or on_publish.
  await sleep(300);
  assert.deepEqual(hooks.hits.filter((h) => String(h.body.stream ?? '').startsWith('bad-')).map((h) => h.body.action), []);
});

test('tokens, then IP rules: on a vhost that denies publishing by IP, a good token meets the rule, a bad one never gets there', async () => {
  const good = await tok({ act: 'publish', stream: 'live/sec-good' });
  await refusedPublish(`sec-good?vhost=sec&token=${good}`).catch(() => {});
  // The IP rules refuse by closing, as before: the log names the rule, not the token.
  await server.waitForLog(/publish denied by the security rules of sec/, 5000);
  const bad = await tok({ act: 'play', stream: 'live/sec-bad' });
  await refusedPublish(`sec-bad?vhost=sec&token=${bad}`);
  await server.waitForLog(/publish of live\/sec-bad refused: token wrong action/, 5000);
  assert.ok(!/sec-bad.*security rules/.test(server.logs()));
});

describe('a publish with a good token, and its players', () => {
  let pub: Proc;
  let pubToken: string;
  let playToken: string;

  before(async () => {
    pubToken = await tok({ act: 'publish', stream: 'live/good' });
    playToken = await tok({ act: 'play', stream: 'live/*' });
    pub = publish(`${server.rtmpUrl('live')}/good?token=${pubToken}&note=kept`, 'av-1mbps.flv', { loop: true, timeoutMs: 120000 });
    await server.waitForLog(/"stream":"__defaultVhost__\/live\/good".*publish started/, 20000);
  });
  after(async () => {
    await pub?.stop();
  });

  test('ffprobe plays over RTMP with a play token; without one, or with a publish token, Play.Failed', async () => {
    const streams = await ffprobeStreams(`${server.rtmpUrl('live')}/good?token=${playToken}`);
    assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video']);

    for (const [name, why] of [['good', 'no token'], [`good?token=${pubToken}`, 'wrong action']] as const) {
      const rec = await connectRecorded(server.rtmpUrl('live'));
      await assert.rejects(rec.client.play(name), /NetStream\.Play\.Failed/);
      assert.ok(await closedWithin(rec.client.socket, 5000));
      const codes = rec.events.flatMap((e) => (e.type === 'status' ? [`${e.code}:${e.level}`] : []));
      assert.deepEqual(codes, ['NetStream.Play.Failed:error']);
      assert.ok(!rec.media().length, 'no media for a refused player');
      rec.client.destroy();
      await server.waitForLog(new RegExp(`play of live/good refused: token ${why}`), 5000);
    }
  });

  test('rtmpdump plays with the token in the stream name, and fails without it', async () => {
    const file = join(server.dir, 'dump.flv');
    // A live dump never ends by itself (--stop counts from the stream's own timestamps): 5 s of it.
    const ok = await run('rtmpdump', ['-q', '-v', '-r', `${server.rtmpUrl('live')}/good?token=${playToken}`, '-o', file], 5000).done;
    assert.ok(existsSync(file) && statSync(file).size > 50_000, `rtmpdump got ${existsSync(file) ? statSync(file).size : 0} bytes (exit ${ok.code}): ${ok.stderr.slice(-500)}`);
    const refused = await run('rtmpdump', ['-v', '-r', `${server.rtmpUrl('live')}/good`, '-o', join(server.dir, 'refused.flv')], 15000).done;
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /NetStream\.Play\.Failed/);
  });

  test('HTTP-FLV: 401 without a good play token, the stream with one', async () => {
    const url = server.httpUrl('live/good.flv');
    const expired = await tok({ act: 'play', ttl: 1, now: nowS() - 100 });
    for (const q of ['', `?token=${pubToken}`, `?token=${expired}`, '?token=x.y.z', `?token=${await tok({ act: 'play', stream: 'live/bad' })}`]) {
      assert.equal((await httpGet(url + q)).status, 401, `GET ${q || '(no token)'}`);
      assert.equal((await httpGet(url + q, { method: 'HEAD' })).status, 401, `HEAD ${q || '(no token)'}`);
    }
    await server.waitForLog(/"path":"\/live\/good\.flv","reason":"token expired".*http play refused/, 5000);
    assert.equal((await httpGet(url + `?token=${playToken}`, { method: 'HEAD' })).status, 200);
    const streams = await ffprobeStreams(url + `?token=${playToken}`);
    assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  });

  test('HLS: the playlist needs the token and hands it on to its segments, which need it too', async () => {
    const m3u8 = server.httpUrl('live/good.m3u8');
    await until(async () => (await httpGet(`${m3u8}?token=${playToken}`)).status === 200, 20000, 'the playlist');
    assert.equal((await httpGet(m3u8)).status, 401);
    assert.equal((await httpGet(`${m3u8}?token=${pubToken}`)).status, 401);
    const text = (await httpGet(`${m3u8}?token=${playToken}`)).body.toString();
    const uris = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(uris.length > 0, text);
    for (const uri of uris) assert.ok(uri.endsWith(`?token=${playToken}`), `segment URI without the token: ${uri}`);
    // The files the muxer wrote stay token-free.
    const raw = (await import('node:fs')).readFileSync(join(server.dir, 'html', 'live', 'good.m3u8'), 'utf8');
    assert.ok(!raw.includes('token='));

    const segment = server.httpUrl(`live/${uris[0]}`);
    const bare = segment.slice(0, segment.indexOf('?'));
    const got = await httpGet(segment);
    assert.equal(got.status, 200);
    assert.equal(got.body[0], 0x47, 'an MPEG-TS segment');
    assert.equal((await httpGet(bare)).status, 401);
    assert.equal((await httpGet(`${bare}?token=${pubToken}`)).status, 401);
    // A real player follows the playlist's URIs: ffprobe reads segments through them.
    const streams = await ffprobeStreams(`${m3u8}?token=${playToken}`);
    assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  });

  test('the token reaches neither the hooks, nor the API, nor the log; other parameters do', async () => {
    const published = hooks.hits.find((h) => h.body.action === 'on_publish' && h.body.stream === 'good');
    assert.ok(published, 'on_publish of live/good');
    assert.equal(published.body.param, '?note=kept');
    for (const h of hooks.hits) assert.ok(!h.raw.includes('token='), `${h.body.action} carried a token: ${h.raw}`);
    const plays = hooks.hits.filter((h) => h.body.action === 'on_play' && h.body.stream === 'good');
    assert.ok(plays.length >= 2, 'on_play of the RTMP and HTTP players');
    const clients = JSON.stringify(await api('/api/v1/clients/'));
    const streams = JSON.stringify(await api('/api/v1/streams/'));
    assert.ok(clients.includes('"name":"good"'), clients);
    assert.ok(!clients.includes('token') && !streams.includes('token'), clients);
    const logs = server.logs();
    for (const t of used) assert.ok(!logs.includes(t), 'a token in the log');
  });

  test('a token in the tcUrl works too, and is taken out of the tcUrl that hooks and the API see', async () => {
    const t = await tok({ act: 'publish', stream: 'live/tc' });
    const rec = await connectRecorded(server.rtmpUrl(`live?token=${t}&who=me`));
    try {
      await rec.client.publish('tc');
      const clients = (await api('/api/v1/clients/')).clients as { name: string; tcUrl: string }[];
      const mine = clients.find((c) => c.name === 'tc');
      assert.equal(mine?.tcUrl, `${server.rtmpUrl('live')}?who=me`);
      const hit = (await until(() => hooks.hits.find((h) => h.body.action === 'on_publish' && h.body.stream === 'tc'), 5000, 'on_publish of live/tc'))!;
      assert.equal(hit.body.tcUrl, `${server.rtmpUrl('live')}?who=me`);
      assert.equal(hit.body.param, '?who=me');
      const connect = hooks.hits.find((h) => h.body.action === 'on_connect' && h.body.stream === 'tc');
      assert.equal(connect?.body.tcUrl, `${server.rtmpUrl('live')}?who=me`);
    } finally {
      await rec.client.close();
    }
    const t2 = await tok({ act: 'publish', stream: 'live/tc' });
    const bad = await connectRecorded(server.rtmpUrl(`live?token=${t2}`));
    await assert.rejects(bad.client.publish('tc-other'), /BadName/);
    bad.client.destroy();
  });

  test('a token that expires during the publish does not cut it', async () => {
    const short = await tok({ act: 'publish', stream: 'live/short', ttl: 1 });
    const p = publish(`${server.rtmpUrl('live')}/short?token=${short}`, 'av-1mbps.flv', { loop: true, timeoutMs: 60000 });
    try {
      await server.waitForLog(/live\/short".*publish started/, 20000);
      // Past exp plus the clock skew: the token no longer opens anything...
      await sleep(7500);
      const rec = await connectRecorded(server.rtmpUrl('live'));
      await assert.rejects(rec.client.publish(`short2?token=${short}`), /BadName/);
      rec.client.destroy();
      await server.waitForLog(/publish of live\/short2 refused: token (expired|wrong stream)/, 5000);
      // ...but the publish it opened goes on.
      assert.equal(p.proc.exitCode, null, 'ffmpeg is still publishing');
      const s = (await api('/api/v1/streams/')).streams.find((x: { name: string }) => x.name === 'short');
      assert.ok(s?.publish?.active, 'live/short is still published');
      assert.ok(!/live\/short".*unpublished/.test(server.logs()));
    } finally {
      await p.stop();
    }
  });
});

test('`sluice ctl token` prints a token that lets ffmpeg publish', async () => {
  const made = await run(NODE, [BIN, 'ctl', 'token', '--secret', SECRET, '--act', 'publish', '--stream', 'live/cli', '--ttl', '120'], 20000).done;
  assert.equal(made.code, 0, made.stderr);
  const t = made.stdout.trim();
  assert.match(t, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  used.push(t);
  const p = publish(`${server.rtmpUrl('live')}/cli?token=${t}`, 'av-1mbps.flv', { timeoutMs: 60000 });
  try {
    await server.waitForLog(/live\/cli".*publish started/, 20000);
  } finally {
    await p.stop();
  }
  const other = publish(`${server.rtmpUrl('live')}/cli2?token=${t}`, 'av-1mbps.flv', { timeoutMs: 30000 });
  const r = await other.done;
  assert.notEqual(r.code, 0, 'the token is for live/cli only');
  await server.waitForLog(/publish of live\/cli2 refused: token wrong stream/, 5000);
});
