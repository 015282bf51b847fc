import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism, totalmem } from 'node:os';
import { parseConfig, validateConfig } from '../../src/config/load.ts';
import type {
  ConfigResult, IngestConfig, SecurityRule, SluiceConfig, TranscodeEngine, VhostConfig,
} from '../../src/config/types.ts';

function ok(result: ConfigResult): SluiceConfig {
  if ('errors' in result) assert.fail(`unexpected errors:\n${result.errors.join('\n')}`);
  return result.config;
}

// Typed literals: if types.ts and the schema drift apart, either tsc or deepEqual fails.
const defaultVhost: VhostConfig = {
  enabled: true,
  gop_cache: true,
  queue_length: 10,
  time_jitter: 'full',
  mw_latency_ms: 350,
  publish: { first_packet_timeout_ms: 20000, normal_timeout_ms: 5000 },
  refer: { enabled: false, all: [], publish: [], play: [] },
  security: { enabled: false, rules: [] },
  auth: { enabled: false, secret: '', publish: true, play: false },
  hls: {
    enabled: true, path: './html', fragment: 10, window: 60,
    m3u8_file: '[app]/[stream].m3u8', ts_file: '[app]/[stream]-[seq].ts', cleanup: true, dispose: 0,
    variant: 'mpegts', part_ms: 200,
  },
  http_remux: { enabled: true, mount: '[vhost]/[app]/[stream].flv' },
  forward: { enabled: false, destination: [] },
  cluster: { mode: 'local', origin: [] },
  http_hooks: {
    enabled: false, on_connect: [], on_close: [], on_publish: [], on_unpublish: [],
    on_play: [], on_stop: [], on_dvr: [], on_hls: [],
  },
  dvr: { enabled: false, plan: 'session', path: './objs/dvr/[app]/[stream].[timestamp].flv', duration: 30, wait_keyframe: true },
  transcode: { enabled: false, ffmpeg: 'ffmpeg', engines: [] },
  ingest: [],
  bandcheck: { enabled: false, key: '', interval: 30, limit_kbps: 4000 },
};

const defaults: SluiceConfig = {
  listen: [{ host: '0.0.0.0', port: 1935 }],
  workers: Math.min(256, availableParallelism()),
  max_connections: 1000,
  chunk_size: 60000,
  media: { block_size: 65536, max_memory: Math.floor(totalmem() / 4 / 65536) * 65536 },
  pid: './objs/sluice.pid',
  log: { level: 'info', file: null },
  rtmps: { enabled: false, listen: [{ host: '0.0.0.0', port: 1936 }], cert: '', key: '' },
  http_api: { enabled: true, listen: [{ host: '0.0.0.0', port: 1985 }], auth: { token: '', metrics: false } },
  http_server: { enabled: true, listen: [{ host: '0.0.0.0', port: 8080 }], dir: './html' },
  cluster: { redis: '', key_prefix: 'sluice:', ttl: 10, advertise: '' },
  vhosts: { __defaultVhost__: defaultVhost },
};

test('an empty file yields every key at its default', () => {
  assert.deepEqual(ok(parseConfig('', 'empty.yaml')), defaults);
  assert.deepEqual(ok(parseConfig('# only a comment\n', 'c.yaml')), defaults);
  assert.deepEqual(ok(validateConfig({})), defaults);
  assert.deepEqual(ok(validateConfig(undefined)), defaults);
});

test('sample of defaults read one by one', () => {
  const c = ok(parseConfig('{}', 'x.yaml'));
  const v = c.vhosts.__defaultVhost__!;
  assert.equal(c.chunk_size, 60000);
  assert.equal(c.log.file, null);
  assert.equal(v.hls.fragment, 10);
  assert.equal(v.hls.m3u8_file, '[app]/[stream].m3u8');
  assert.equal(v.publish.first_packet_timeout_ms, 20000);
  assert.deepEqual(v.http_hooks.on_hls, []);
  assert.equal(v.dvr.plan, 'session');
  assert.equal(v.bandcheck.limit_kbps, 4000);
});

test('a partial vhost is completed with the defaults of every key', () => {
  const c = ok(parseConfig(`
vhosts:
  __defaultVhost__: {}
  live:
    gop_cache: false
    hls: { fragment: 2 }
    http_hooks: { enabled: true, on_publish: ["http://127.0.0.1:8085/p"] }
`, 'p.yaml'));
  assert.deepEqual(c.vhosts.__defaultVhost__, defaultVhost);
  const live = c.vhosts.live!;
  assert.equal(live.gop_cache, false);
  assert.deepEqual(live.hls, { ...defaultVhost.hls, fragment: 2 });
  assert.deepEqual(live.http_hooks, { ...defaultVhost.http_hooks, enabled: true, on_publish: ['http://127.0.0.1:8085/p'] });
  assert.deepEqual({ ...live, gop_cache: true, hls: defaultVhost.hls, http_hooks: defaultVhost.http_hooks }, defaultVhost);
});

test('a vhost with no value takes every default', () => {
  const c = ok(parseConfig('vhosts:\n  __defaultVhost__:\n  other:\n', 'n.yaml'));
  assert.deepEqual(c.vhosts, { __defaultVhost__: defaultVhost, other: defaultVhost });
});

test('__defaultVhost__ is not added to a vhosts map that leaves it out', () => {
  const c = ok(parseConfig('vhosts: { live.example.com: { gop_cache: false } }', 'v.yaml'));
  assert.deepEqual(Object.keys(c.vhosts), ['live.example.com']);
  const none = ok(parseConfig('vhosts: {}', 'v.yaml'));
  assert.deepEqual(none.vhosts, {});
});

test('nested defaults never share objects between vhosts', () => {
  const c = ok(parseConfig('vhosts: { a: {}, b: {} }', 'v.yaml'));
  assert.notEqual(c.vhosts.a!.hls, c.vhosts.b!.hls);
  assert.notEqual(c.vhosts.a!.security.rules, c.vhosts.b!.security.rules);
});

test('list items get their own defaults: rules, engines, ingest', () => {
  const c = ok(parseConfig(`
vhosts:
  __defaultVhost__:
    security: { rules: [{ action: deny, method: play, from: 192.168.0.0/16 }] }
    transcode: { engines: [{ name: sd }] }
    ingest: [{ id: cam, input: { url: "rtmp://127.0.0.1/live/x" }, engines: [{ name: e1 }] }]
`, 'l.yaml'));
  const v = c.vhosts.__defaultVhost__!;
  const rule: SecurityRule = { action: 'deny', method: 'play', from: '192.168.0.0/16' };
  assert.deepEqual(v.security.rules, [rule]);
  const engine: TranscodeEngine = {
    name: 'sd', enabled: true, vcodec: 'libx264', vbitrate: 1500, vfps: 25, vwidth: 768, vheight: 320,
    vprofile: 'main', vpreset: 'medium', acodec: 'aac', abitrate: 70, asample_rate: 44100, achannels: 2,
    output: 'rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]',
  };
  assert.deepEqual(v.transcode.engines, [engine]);
  const ingest: IngestConfig = {
    id: 'cam', enabled: true, input: { type: 'file', url: 'rtmp://127.0.0.1/live/x' }, ffmpeg: 'ffmpeg',
    engines: [{ ...engine, name: 'e1', output: 'rtmp://127.0.0.1:[port]/live?vhost=[vhost]/[stream]' }],
  };
  assert.deepEqual(v.ingest, [ingest]);
});

test('listen forms normalise to { host, port } lists', () => {
  const c = ok(parseConfig(`
listen: [1935, "127.0.0.1:19350", "[::1]:1937", "localhost:1938"]
http_api: { listen: "127.0.0.1:1985" }
http_server: { listen: [8080, 8081] }
rtmps: { listen: 443 }
`, 'l.yaml'));
  assert.deepEqual(c.listen, [
    { host: '0.0.0.0', port: 1935 }, { host: '127.0.0.1', port: 19350 },
    { host: '::1', port: 1937 }, { host: 'localhost', port: 1938 },
  ]);
  assert.deepEqual(c.http_api.listen, [{ host: '127.0.0.1', port: 1985 }]);
  assert.deepEqual(c.http_server.listen, [{ host: '0.0.0.0', port: 8080 }, { host: '0.0.0.0', port: 8081 }]);
  assert.deepEqual(c.rtmps.listen, [{ host: '0.0.0.0', port: 443 }]);
});

test('workers: a number stays, auto becomes the core count', () => {
  assert.equal(ok(parseConfig('workers: 3', 'w.yaml')).workers, 3);
  assert.equal(ok(parseConfig('workers: auto', 'w.yaml')).workers, Math.min(256, availableParallelism()));
});

test('overrides from the command line win over the file', () => {
  const c = ok(parseConfig('workers: 2\nlog: { level: warn }', 'o.yaml', { workers: '5', logLevel: 'debug' }));
  assert.equal(c.workers, 5);
  assert.equal(c.log.level, 'debug');
  assert.equal(ok(parseConfig('', 'o.yaml', { workers: 'auto' })).workers, defaults.workers);
  assert.equal(ok(parseConfig('', 'o.yaml', { logLevel: 'trace' })).log.level, 'trace');
});

test('relative paths stay relative', () => {
  const c = ok(parseConfig('pid: ./run/s.pid\nhttp_server: { dir: public }', 'r.yaml'));
  assert.equal(c.pid, './run/s.pid');
  assert.equal(c.http_server.dir, 'public');
});

test('validateConfig leaves its input untouched', () => {
  const input = { vhosts: { a: { hls: {} } } };
  ok(validateConfig(input));
  assert.deepEqual(input, { vhosts: { a: { hls: {} } } });
});
