import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineCodecArgs, enginesFor, ingestJobs, localRtmpAddress, transcodeArgs } from '../../src/actors/ffmpeg/ffmpeg-args.ts';
import { plannedJobs } from '../../src/actors/ffmpeg/ingester.ts';
import { INGEST_OUTPUT, TRANSCODE_OUTPUT } from '../../src/config/schema.ts';
import { validateConfig } from '../../src/config/load.ts';
import type { SluiceConfig, TranscodeEngine } from '../../src/config/types.ts';

const engine = (over: Partial<TranscodeEngine>): TranscodeEngine => ({
  name: 'ld', enabled: true, vcodec: 'libx264', vbitrate: 200, vfps: 25, vwidth: 320, vheight: 180, vprofile: 'main',
  vpreset: 'ultrafast', acodec: 'aac', abitrate: 48, asample_rate: 44100, achannels: 2, output: TRANSCODE_OUTPUT, ...over,
});

test('engine codec options: encode, copy, drop, keep size', () => {
  assert.deepEqual(engineCodecArgs(engine({})), [
    '-c:v', 'libx264', '-b:v', '200k', '-r', '25', '-vf', 'scale=320:180', '-profile:v', 'main', '-preset', 'ultrafast', '-g', '50',
    '-c:a', 'aac', '-b:a', '48k', '-ar', '44100', '-ac', '2',
  ]);
  assert.deepEqual(engineCodecArgs(engine({ vcodec: 'copy', acodec: 'copy' })), ['-c:v', 'copy', '-c:a', 'copy']);
  assert.deepEqual(engineCodecArgs(engine({ vcodec: 'vn', acodec: 'an' })), ['-vn', '-an']);
  assert.ok(engineCodecArgs(engine({ vwidth: 0, vheight: 0 })).every((a) => !a.startsWith('scale')));
  assert.ok(engineCodecArgs(engine({ vwidth: 640, vheight: 0 })).includes('scale=640:-2'));
  assert.deepEqual(engineCodecArgs(null), ['-c:v', 'copy', '-c:a', 'copy']);
});

test('transcode reads this server and publishes [stream]_[engine]', () => {
  const args = transcodeArgs({ vhost: '__defaultVhost__', app: 'live', stream: 'x' }, engine({ vcodec: 'copy', acodec: 'copy' }), '127.0.0.1', 1935);
  assert.equal(args[args.indexOf('-i') + 1], 'rtmp://127.0.0.1:1935/live/x?vhost=__defaultVhost__');
  assert.equal(args.at(-1), 'rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__/x_ld');
  assert.equal(args.at(-2), 'flv');
});

test('outputs of an engine are never transcoded again; disabled engines do not run', () => {
  const engines = [engine({ name: 'ld' }), engine({ name: 'hd' }), engine({ name: 'off', enabled: false })];
  assert.deepEqual(enginesFor('x', engines).map((e) => e.name), ['ld', 'hd']);
  assert.deepEqual(enginesFor('x_ld', engines), []);
  assert.deepEqual(enginesFor('x_off', engines), []);
  assert.deepEqual(enginesFor('x_lda', engines).map((e) => e.name), ['ld', 'hd']);
});

test('ingest jobs: a looped file or a stream, one job per engine, copy without engines', () => {
  const file = ingestJobs('v', { id: 'a', enabled: true, input: { type: 'file', url: '/m/f.flv' }, ffmpeg: 'ffmpeg', engines: [] }, 1935, INGEST_OUTPUT);
  assert.equal(file.length, 1);
  assert.equal(file[0]!.key, 'v/a/');
  assert.deepEqual(file[0]!.args.slice(file[0]!.args.indexOf('-re')), ['-re', '-stream_loop', '-1', '-i', '/m/f.flv', '-c:v', 'copy', '-c:a', 'copy', '-f', 'flv', 'rtmp://127.0.0.1:1935/live?vhost=v/a']);
  const stream = ingestJobs('v', {
    id: 'b', enabled: true, input: { type: 'stream', url: 'rtmp://up/live/s' }, ffmpeg: '/usr/bin/ffmpeg',
    engines: [engine({ name: 'e1', output: INGEST_OUTPUT }), engine({ name: 'e2', enabled: false, output: 'rtmp://127.0.0.1:[port]/live/[stream]_[engine]' })],
  }, 19350, INGEST_OUTPUT);
  assert.deepEqual(stream.map((j) => j.key), ['v/b/e1', 'v/b/e2']);
  assert.equal(stream[0]!.command, '/usr/bin/ffmpeg');
  assert.ok(!stream[0]!.args.includes('-stream_loop'));
  assert.ok(stream[1]!.args.join(' ').includes('-c:v copy -c:a copy -f flv rtmp://127.0.0.1:19350/live/b_e2'), 'a disabled engine copies');
  assert.deepEqual(ingestJobs('v', { id: 'c', enabled: false, input: { type: 'file', url: 'x' }, ffmpeg: 'ffmpeg', engines: [] }, 1, INGEST_OUTPUT), []);
});

test('plannedJobs: every enabled ingest of every enabled vhost, on the server RTMP port', () => {
  const res = validateConfig({
    listen: 19350,
    vhosts: {
      __defaultVhost__: { ingest: [{ id: 'a', input: { url: '/f.flv' } }, { id: 'off', enabled: false, input: { url: '/f.flv' } }] },
      other: { enabled: false, ingest: [{ id: 'b', input: { url: '/f.flv' } }] },
    },
  });
  assert.ok('config' in res, JSON.stringify(res));
  const config = (res as { config: SluiceConfig }).config;
  assert.deepEqual(localRtmpAddress(config), { host: '127.0.0.1', port: 19350 });
  const jobs = plannedJobs(config);
  assert.deepEqual([...jobs.keys()], ['__defaultVhost__/a/']);
  assert.equal(jobs.get('__defaultVhost__/a/')!.args.at(-1), 'rtmp://127.0.0.1:19350/live?vhost=__defaultVhost__/a');
});
