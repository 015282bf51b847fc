// on_hls and on_dvr with a real publisher and a real hook receiver: one on_hls
// per completed segment, the last one at unpublish, with
// SRS's fields in SRS's order, seq_no counting up from 0, url and m3u8_url relative to
// hls.path, the files there on disk; on_dvr once for the session file; both naming the
// publisher and the stream's API id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, sleep, until } from '../helpers/clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';

const HLS_FIELDS = ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param',
  'duration', 'cwd', 'file', 'url', 'm3u8', 'm3u8_url', 'seq_no', 'stream_url', 'stream_id'];
const DVR_FIELDS = ['server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param',
  'cwd', 'file', 'stream_url', 'stream_id'];

let server: TestServer;
let hooks: HookReceiver;

before(async () => {
  hooks = await startHookReceiver(() => '{"code":0}');
  const on = (e: string) => [`${hooks.url}/${e}`];
  server = await startServer({
    vhost: {
      hls: { enabled: true, fragment: 2, window: 60, cleanup: false },
      dvr: { enabled: true, plan: 'session', path: './dvr/[app]/[stream].[timestamp].flv' },
      http_hooks: { enabled: true, on_publish: on('on_publish'), on_unpublish: on('on_unpublish'), on_hls: on('on_hls'), on_dvr: on('on_dvr') },
    },
  });
  await waitForPort(server.apiPort);
});

after(async () => {
  await server.stop();
  await hooks.close();
});

test('every segment fires on_hls with SRS\'s body; the session file fires on_dvr', async () => {
  const pub = publish(`${server.rtmpUrl('live/hk')}?token=abc`, 'av-200kbps.flv');
  let streamId: string;
  try {
    await until(() => hooks.hits.some((h) => h.body.action === 'on_publish'), 15000, 'on_publish');
    streamId = (await until(async () => ((await (await server.api('/api/v1/streams/')).json()) as any).streams?.[0]?.id as string | undefined, 10000, 'stream id'))!;
    // Keyframes every 2 s and fragment 2: a segment closes about every 2 s while publishing.
    await until(() => hooks.hits.filter((h) => h.body.action === 'on_hls').length >= 2, 15000, 'two on_hls while publishing');
    await sleep(500);
  } finally {
    await pub.stop();
  }
  await until(() => hooks.hits.some((h) => h.body.action === 'on_dvr'), 10000, 'on_dvr at unpublish');
  await until(() => hooks.hits.some((h) => h.body.action === 'on_unpublish'), 10000, 'on_unpublish');

  const publishBody = hooks.hits.find((h) => h.body.action === 'on_publish')!.body;
  const hls = hooks.hits.filter((h) => h.body.action === 'on_hls');
  assert.ok(hls.length >= 3, `${hls.length} on_hls`);
  hls.forEach((h, i) => {
    const b = h.body;
    assert.equal(h.path, '/on_hls');
    assert.deepEqual(Object.keys(b), HLS_FIELDS);
    assert.equal(b.seq_no, i);
    assert.equal(b.client_id, publishBody.client_id);
    assert.equal(b.stream_id, streamId);
    assert.deepEqual([b.vhost, b.app, b.stream, b.param, b.stream_url], ['__defaultVhost__', 'live', 'hk', '?token=abc', '/live/hk']);
    assert.equal(b.tcUrl, `rtmp://127.0.0.1:${server.rtmpPort}/live`);
    assert.equal(b.url, `live/hk-${i}.ts`);
    assert.equal(b.m3u8_url, 'live/hk.m3u8');
    assert.equal(b.file, join(server.dir, 'html', 'live', `hk-${i}.ts`));
    assert.equal(b.m3u8, join(server.dir, 'html', 'live', 'hk.m3u8'));
    assert.equal(b.cwd, server.dir);
    assert.ok(existsSync(b.file as string), `${b.file} on disk`);
    assert.equal(typeof b.duration, 'number');
    // Every segment but the last is cut on a keyframe about `fragment` seconds in.
    if (i < hls.length - 1) assert.ok(Math.abs((b.duration as number) - 2) < 0.2, `duration ${b.duration}`);
    else assert.ok((b.duration as number) > 0 && (b.duration as number) <= 2.2, `last duration ${b.duration}`);
  });
  // The playlist lists exactly the segments the hook announced.
  const playlist = readFileSync(hls[0]!.body.m3u8 as string, 'utf8');
  assert.deepEqual(playlist.split('\n').filter((l) => l.endsWith('.ts')), hls.map((h) => `hk-${h.body.seq_no}.ts`));

  const dvr = hooks.hits.filter((h) => h.body.action === 'on_dvr');
  assert.equal(dvr.length, 1);
  assert.deepEqual(Object.keys(dvr[0]!.body), DVR_FIELDS);
  assert.equal(dvr[0]!.body.client_id, publishBody.client_id);
  assert.equal(dvr[0]!.body.stream_id, streamId);
  assert.match(dvr[0]!.body.file as string, /\/dvr\/live\/hk\.\d+\.flv$/);
  assert.ok(existsSync(join(dvr[0]!.body.cwd as string, dvr[0]!.body.file as string)), 'the DVR file on disk');
  // A failed call would be logged by the server.
  assert.doesNotMatch(server.logs(), /"hook":"on_hls".*hook failed/);
});
