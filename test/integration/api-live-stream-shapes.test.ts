// The HTTP API with a live stream from ffmpeg: SRS's shapes,
// the publisher among the clients, DELETE kicking it, errors as 4xx JSON, /metrics as
// Prometheus text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';
import { parsePrometheus } from '../unit/prometheus-parser.ts';

let server: TestServer;

before(async () => {
  server = await startServer({ workers: 2 });
  await waitForPort(server.apiPort);
});

after(async () => {
  await server.stop();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await server.api(path, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

function assertEnvelope(body: any): void {
  assert.deepEqual(Object.keys(body).slice(0, 4), ['code', 'server', 'service', 'pid']);
  assert.match(body.server, /^vid-[0-9a-z]{7}$/);
  assert.match(body.service, /^[0-9a-z]{8}$/);
  assert.equal(body.pid, String(server.proc.pid));
}

test('versions, summaries and vhosts answer with the SRS envelope', async () => {
  const v = await get('/api/v1/versions');
  assert.equal(v.status, 200);
  assert.equal(v.headers.get('content-type'), 'application/json');
  assert.equal(v.headers.get('access-control-allow-origin'), '*');
  assertEnvelope(v.json);
  assert.equal(v.json.code, 0);
  assert.deepEqual(Object.keys(v.json.data), ['major', 'minor', 'revision', 'version']);

  const s = await get('/api/v1/summaries');
  assert.equal(s.json.code, 0);
  assert.equal(s.json.data.ok, true);
  for (const k of ['pid', 'version', 'mem_kbyte', 'mem_percent', 'cpu_percent', 'srs_uptime', 'argv', 'cwd']) assert.ok(k in s.json.data.self, k);
  for (const k of ['cpus', 'mem_ram_kbyte', 'load_1m']) assert.ok(k in s.json.data.system, k);
  assert.ok(s.json.data.self.mem_kbyte > 1000);

  const vh = await get('/api/v1/vhosts');
  assert.equal(vh.json.vhosts[0].name, '__defaultVhost__');
  const one = await get(`/api/v1/vhosts/${vh.json.vhosts[0].id}`);
  assert.equal(one.json.vhost.name, '__defaultVhost__');

  const opt = await fetch(`http://127.0.0.1:${server.apiPort}/api/v1/streams/`, { method: 'OPTIONS' });
  assert.equal(opt.status, 200);
  assert.equal(await opt.text(), '');
  assert.equal(opt.headers.get('access-control-allow-methods'), '*');

  const jsonp = await get('/api/v1/versions?callback=cb');
  assert.equal(jsonp.headers.get('content-type'), 'text/javascript');
  assert.match(jsonp.text, /^cb\(\{"code":0,.*\}\)$/);
});

test('a live stream: H264 1280x720, AAC 44100 stereo, its publisher a client; DELETE kicks it', async () => {
  const pub = publish(server.rtmpUrl('live/api'), 'av-1mbps.flv', { loop: true });
  try {
    const list = await until(async () => {
      const r = await get('/api/v1/streams');
      const s = r.json?.streams?.[0];
      return s && s.video && s.audio ? r : null;
    }, 15000, 'the stream with codecs').then((r) => r!);
    assertEnvelope(list.json);
    const st = list.json.streams[0];
    assert.deepEqual(Object.keys(st), [
      'id', 'name', 'vhost', 'app', 'tcUrl', 'url', 'live_ms', 'clients', 'frames', 'send_bytes', 'recv_bytes', 'kbps', 'publish', 'video', 'audio',
    ]);
    assert.match(st.id, /^vid-/);
    assert.equal(st.name, 'api');
    assert.equal(st.app, 'live');
    assert.equal(st.url, '/live/api');
    assert.equal(st.tcUrl, `rtmp://127.0.0.1:${server.rtmpPort}/live`);
    assert.equal(st.clients, 1);
    assert.ok(st.recv_bytes > 0);
    assert.deepEqual(Object.keys(st.kbps), ['recv_30s', 'send_30s']);
    assert.equal(st.publish.active, true);
    assert.equal(st.video.codec, 'H264');
    assert.equal(st.video.width, 1280);
    assert.equal(st.video.height, 720);
    assert.equal(typeof st.video.profile, 'string');
    assert.equal(typeof st.video.level, 'string');
    assert.deepEqual({ codec: st.audio.codec, sample_rate: st.audio.sample_rate, channel: st.audio.channel }, { codec: 'AAC', sample_rate: 44100, channel: 2 });
    const vhosts = await get('/api/v1/vhosts/');
    assert.equal(st.vhost, vhosts.json.vhosts[0].id);

    const byId = await get(`/api/v1/streams/${st.id}/`);
    assert.equal(byId.json.stream.id, st.id);

    const clients = await get('/api/v1/clients/');
    const me = clients.json.clients.find((c: any) => c.id === st.publish.cid);
    assert.ok(me, JSON.stringify(clients.json));
    assert.deepEqual(Object.keys(me), [
      'id', 'vhost', 'stream', 'ip', 'pageUrl', 'swfUrl', 'tcUrl', 'url', 'name', 'type', 'publish', 'alive', 'send_bytes', 'recv_bytes', 'kbps',
    ]);
    assert.equal(me.type, 'fmle-publish');
    assert.equal(me.publish, true);
    assert.equal(me.stream, st.id);
    assert.equal(me.vhost, st.vhost);
    assert.equal(me.ip, '127.0.0.1');
    assert.equal(me.name, 'api');
    assert.ok(me.alive > 0 && me.recv_bytes > 0);
    const one = await get(`/api/v1/clients/${me.id}`);
    assert.equal(one.json.client.id, me.id);

    const kick = await get(`/api/v1/clients/${me.id}`, { method: 'DELETE' });
    assert.equal(kick.status, 200);
    assert.equal(kick.json.code, 0);
    const r = await Promise.race([pub.done, new Promise<null>((res) => setTimeout(() => res(null), 10000))]);
    assert.ok(r, 'ffmpeg exits once kicked');
    await until(async () => (await get('/api/v1/streams/')).json.streams.length === 0, 5000, 'the stream to end');
    assert.equal((await get(`/api/v1/clients/${me.id}`)).status, 404);
  } finally {
    await pub.stop();
  }
});

test('unknown ids, unknown paths, bad methods and bad paging get 4xx JSON with a non-zero code', async () => {
  const cases: [string, string, number, number][] = [
    ['GET', '/api/v1/streams/vid-nothere', 404, 2048],
    ['GET', '/api/v1/clients/nothere1', 404, 2049],
    ['DELETE', '/api/v1/clients/nothere1', 404, 2049],
    ['GET', '/api/v1/vhosts/vid-nothere', 404, 2050],
    ['GET', '/api/v1/nothing', 404, 1404],
    ['POST', '/api/v1/streams/', 405, 1405],
    ['PUT', '/api/v1/versions', 405, 1405],
    ['DELETE', '/api/v1/clients/', 405, 1405],
    ['GET', '/api/v1/streams/?start=x', 400, 1400],
    ['GET', '/api/v1/versions?callback=%3Cscript%3E', 400, 1400],
  ];
  for (const [method, path, status, code] of cases) {
    const r = await get(path, { method });
    assert.equal(r.status, status, `${method} ${path}`);
    assert.equal(r.headers.get('content-type'), 'application/json', `${method} ${path}`);
    assert.equal(r.json.code, code, `${method} ${path}`);
    assertEnvelope(r.json);
  }
});

test('/metrics is Prometheus text with connections, streams, bytes, workers and hooks', async () => {
  const pub = publish(server.rtmpUrl('live/m'), 'av-1mbps.flv', { loop: true });
  try {
    await until(async () => (await get('/api/v1/streams/')).json.streams.length === 1, 15000, 'stream');
    const r = await get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const p = parsePrometheus(r.text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    assert.equal(value('sluice_connections', { type: 'fmle-publish' }), 1);
    assert.equal(value('sluice_streams'), 1);
    assert.ok((value('sluice_received_bytes_total') ?? 0) > 0);
    assert.ok((value('sluice_media_messages_total') ?? 0) > 0);
    for (const w of ['1', '2']) {
      assert.ok(value('sluice_worker_event_loop_lag_ms', { worker: w }) !== undefined, `lag of worker ${w}`);
      assert.ok((value('sluice_worker_actors', { worker: w }) ?? 0) > 0, `actors of worker ${w}`);
    }
    for (const name of ['sluice_players_skipped_total', 'sluice_players_dropped_total', 'sluice_sent_bytes_total']) assert.ok(p.type.has(name), name);
    assert.equal(p.type.get('sluice_hook_calls_total'), 'counter');
  } finally {
    await pub.stop();
  }
});
