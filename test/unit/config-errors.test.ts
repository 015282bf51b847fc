import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../src/config/load.ts';

function errorsOf(yaml: string): string[] {
  const result = parseConfig(yaml, 'test.yaml');
  if (!('errors' in result)) assert.fail(`expected errors for:\n${yaml}`);
  return result.errors;
}

const D = 'vhosts.__defaultVhost__';

// [name, yaml, exact error lines]
const cases: [string, string, string[]][] = [
  ['unknown key at top level', 'bogus: 1', ['config error: bogus: unknown key']],
  ['unknown key in a vhost', 'vhosts: { __defaultVhost__: { hsl: {} } }', [`config error: ${D}.hsl: unknown key`]],
  ['unknown key in a nested object', 'vhosts: { __defaultVhost__: { hls: { fragmnet: 2 } } }', [`config error: ${D}.hls.fragmnet: unknown key`]],
  ['unknown key in a rule',
    'vhosts: { live: { security: { rules: [{ action: allow, method: play, from: all, port: 1 }] } } }',
    ['config error: vhosts.live.security.rules.0.port: unknown key']],
  ['unknown key in log', 'log: { levle: info }', ['config error: log.levle: unknown key']],
  ['cluster redis not a redis URL', 'cluster: { redis: "http://x" }', ['config error: cluster.redis: must be "" or a redis:// (rediss://) URL']],
  ['cluster ttl below 1 s', 'cluster: { ttl: 0.5 }', ['config error: cluster.ttl: must be a number from 1 to 3600']],
  ['cluster advertise without a port', 'cluster: { advertise: "10.0.0.1" }', ['config error: cluster.advertise: must be "" or a "host:port" string']],
  ['unknown key in the top-level cluster', 'cluster: { mode: remote }', ['config error: cluster.mode: unknown key']],
  ['wrong type: string for integer', 'chunk_size: big', ['config error: chunk_size: must be an integer from 128 to 65536']],
  ['wrong type: fraction for integer', 'chunk_size: 1000.5', ['config error: chunk_size: must be an integer from 128 to 65536']],
  ['wrong type: yes is not a boolean in YAML 1.2', 'vhosts: { v: { gop_cache: yes } }', ['config error: vhosts.v.gop_cache: must be true or false']],
  ['wrong type: map for list', 'vhosts: { v: { forward: { destination: { a: 1 } } } }', ['config error: vhosts.v.forward.destination: must be a list']],
  ['wrong type: list for map', 'vhosts: [a, b]', ['config error: vhosts: must be a map of keys']],
  ['wrong type: whole document', '- 1\n- 2\n', ['config error: (top level): must be a map of keys']],
  ['log.file not a path', 'log: { file: 5 }', ['config error: log.file: must be a file path or null']],
  ['chunk_size too small', 'chunk_size: 100', ['config error: chunk_size: must be an integer from 128 to 65536']],
  ['chunk_size too large', 'chunk_size: 70000', ['config error: chunk_size: must be an integer from 128 to 65536']],
  ['bad enum time_jitter', 'vhosts: { __defaultVhost__: { time_jitter: sometimes } }', [`config error: ${D}.time_jitter: must be one of full, zero, off`]],
  ['bad enum log.level', 'log: { level: loud }', ['config error: log.level: must be one of fatal, error, warn, info, debug, trace, silent']],
  ['bad enum dvr.plan', 'vhosts: { v: { dvr: { plan: daily } } }', ['config error: vhosts.v.dvr.plan: must be one of session, segment']],
  ['bad enum rule action', 'vhosts: { live: { security: { rules: [{ action: drop, method: play, from: all }] } } }',
    ['config error: vhosts.live.security.rules.0.action: must be one of allow, deny']],
  ['bad enum cluster.mode', 'vhosts: { v: { cluster: { mode: edge } } }', ['config error: vhosts.v.cluster.mode: must be one of local, remote']],
  ['listen string without port', 'listen: localhost', ['config error: listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['listen port out of range', 'listen: "127.0.0.1:70000"', ['config error: listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['listen port 0', 'listen: 0', ['config error: listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['listen bad list item', 'listen: [1935, "a b:1"]', ['config error: listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['listen empty list', 'listen: []', ['config error: listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['http_api listen', 'http_api: { listen: "x:" }', ['config error: http_api.listen: must be a port (1 to 65535), a "host:port" string, or a list of them']],
  ['bad CIDR', 'vhosts: { v: { security: { rules: [{ action: deny, method: all, from: 10.0.0.0/33 }] } } }',
    ['config error: vhosts.v.security.rules.0.from: must be an IP address, a CIDR block (such as 10.0.0.0/8) or "all"']],
  ['bad IP', 'vhosts: { v: { security: { rules: [{ action: deny, method: all, from: 10.0.0 }] } } }',
    ['config error: vhosts.v.security.rules.0.from: must be an IP address, a CIDR block (such as 10.0.0.0/8) or "all"']],
  ['rule fields are required', 'vhosts: { v: { security: { rules: [{ action: deny }] } } }',
    ['config error: vhosts.v.security.rules.0.method: is required', 'config error: vhosts.v.security.rules.0.from: is required']],
  ['bad URL in hooks', 'vhosts: { v: { http_hooks: { on_publish: ["http://ok/", "ftp://x/y"], on_play: ["not a url"] } } }',
    ['config error: vhosts.v.http_hooks.on_publish.1: must be an http:// or https:// URL',
      'config error: vhosts.v.http_hooks.on_play.0: must be an http:// or https:// URL']],
  ['unknown hook event', 'vhosts: { v: { http_hooks: { on_foo: [] } } }', ['config error: vhosts.v.http_hooks.on_foo: unknown key']],
  ['forward destination without port', 'vhosts: { v: { forward: { destination: ["10.0.0.1"] } } }',
    ['config error: vhosts.v.forward.destination.0: must be a "host:port" string']],
  ['hls.fragment zero', 'vhosts: { __defaultVhost__: { hls: { fragment: 0 } } }', [`config error: ${D}.hls.fragment: must be a number greater than 0`]],
  ['hls.window negative', 'vhosts: { __defaultVhost__: { hls: { window: -5 } } }', [`config error: ${D}.hls.window: must be a number greater than 0`]],
  ['hls.dispose negative', 'vhosts: { v: { hls: { dispose: -1 } } }', ['config error: vhosts.v.hls.dispose: must be a number of at least 0']],
  ['workers 0', 'workers: 0', ['config error: workers: must be "auto" or an integer from 1 to 256']],
  ['workers 257', 'workers: 257', ['config error: workers: must be "auto" or an integer from 1 to 256']],
  ['workers word', 'workers: many', ['config error: workers: must be "auto" or an integer from 1 to 256']],
  ['engine needs a name', 'vhosts: { v: { transcode: { engines: [{ vcodec: copy }] } } }', ['config error: vhosts.v.transcode.engines.0.name: is required']],
  ['engine ranges', 'vhosts: { v: { transcode: { engines: [{ name: a, achannels: 9, vfps: 0 }] } } }',
    ['config error: vhosts.v.transcode.engines.0.vfps: must be a number greater than 0',
      'config error: vhosts.v.transcode.engines.0.achannels: must be an integer from 1 to 8']],
  ['duplicate engine names', 'vhosts: { v: { transcode: { engines: [{ name: a }, { name: a }] } } }',
    ['config error: vhosts.v.transcode.engines.1.name: duplicate engine name "a"']],
  ['ingest needs id and input', 'vhosts: { v: { ingest: [{ enabled: true }] } }',
    ['config error: vhosts.v.ingest.0.id: is required', 'config error: vhosts.v.ingest.0.input: is required']],
  ['ingest input type', 'vhosts: { v: { ingest: [{ id: a, input: { type: device, url: x } }] } }',
    ['config error: vhosts.v.ingest.0.input.type: must be one of file, stream']],
  ['duplicate ingest ids', 'vhosts: { v: { ingest: [{ id: a, input: { url: x } }, { id: a, input: { url: y } }] } }',
    ['config error: vhosts.v.ingest.1.id: duplicate ingest id "a"']],
  ['two listeners on one port', 'listen: 8080', ['config error: http_server.listen: port 8080 is already in listen']],
  ['a port listed twice', 'listen: [1935, "127.0.0.1:1935"]', ['config error: listen.1: port 1935 is already in listen.0']],
  ['the API on the RTMP port', 'listen: "127.0.0.1:1935"\nhttp_api: { listen: "0.0.0.0:1935" }', ['config error: http_api.listen: port 1935 is already in listen']],
  ['auth on without a secret', 'vhosts: { v: { auth: { enabled: true } } }',
    ['config error: vhosts.v.auth.secret: must not be empty when auth.enabled is true']],
  ['auth on with an empty secret', 'vhosts: { v: { auth: { enabled: true, secret: "", play: true } } }',
    ['config error: vhosts.v.auth.secret: must not be empty when auth.enabled is true']],
  ['auth play not a boolean', 'vhosts: { v: { auth: { play: sometimes } } }', ['config error: vhosts.v.auth.play: must be true or false']],
  ['auth unknown key', 'vhosts: { v: { auth: { key: x } } }', ['config error: vhosts.v.auth.key: unknown key']],
];

for (const [name, yaml, expected] of cases) {
  test(`config error: ${name}`, () => {
    assert.deepEqual(errorsOf(yaml), expected);
  });
}

test('one port on two different addresses, or for a listener that is off, is accepted', () => {
  for (const yaml of ['listen: ["127.0.0.1:1935", "127.0.0.2:1935"]', 'listen: 8080\nhttp_server: { enabled: false }', 'rtmps: { listen: 1935 }']) {
    const result = parseConfig(yaml, 'ok.yaml');
    assert.ok('config' in result, `${yaml}: ${'errors' in result ? result.errors.join('; ') : ''}`);
  }
});

test('edges of the ranges are accepted', () => {
  for (const yaml of ['chunk_size: 128', 'chunk_size: 65536', 'workers: 1', 'workers: 256', 'listen: 65535',
    'listen: "[::]:1935"', 'vhosts: { v: { security: { rules: [{ action: allow, method: all, from: "::1/128" }] } } }']) {
    const result = parseConfig(yaml, 'ok.yaml');
    assert.ok('config' in result, `${yaml}: ${'errors' in result ? result.errors.join('; ') : ''}`);
  }
});

test('every problem of a file is listed, in one pass', () => {
  const lines = errorsOf(`
bogus: true
chunk_size: 100
workers: 0
log: { level: loud }
vhosts:
  __defaultVhost__:
    hsl: {}
    hls: { fragment: 0 }
  live:
    time_jitter: sometimes
    security: { rules: [{ action: allow, method: play, from: 10.0.0.0/33 }] }
    http_hooks: { on_publish: ["ftp://x"] }
`);
  assert.deepEqual([...lines].sort(), [
    'config error: bogus: unknown key',
    'config error: chunk_size: must be an integer from 128 to 65536',
    'config error: log.level: must be one of fatal, error, warn, info, debug, trace, silent',
    `config error: ${D}.hls.fragment: must be a number greater than 0`,
    `config error: ${D}.hsl: unknown key`,
    'config error: vhosts.live.http_hooks.on_publish.0: must be an http:// or https:// URL',
    'config error: vhosts.live.security.rules.0.from: must be an IP address, a CIDR block (such as 10.0.0.0/8) or "all"',
    'config error: vhosts.live.time_jitter: must be one of full, zero, off',
    'config error: workers: must be "auto" or an integer from 1 to 256',
  ]);
});

test('a YAML syntax error names the file, line and column', () => {
  const lines = errorsOf('listen: 1935\nvhosts:\n  a: [1,\n  b: 2\n');
  assert.ok(lines.length >= 1);
  assert.match(lines[0]!, /^config error: test\.yaml: line \d+, column \d+: \S/);
  assert.deepEqual(errorsOf('listen: 1935\nlisten: 1936\n'), ['config error: test.yaml: line 2, column 1: Map keys must be unique']);
  assert.deepEqual(errorsOf('a: 1\nb: "open\n'), ['config error: test.yaml: line 3, column 1: Missing closing "quote']);
});

test('an override with a bad value is an error naming its key', () => {
  const workers = parseConfig('', 't.yaml', { workers: '0' });
  assert.deepEqual(workers, { errors: ['config error: workers: must be "auto" or an integer from 1 to 256'] });
  const word = parseConfig('', 't.yaml', { workers: 'lots' });
  assert.deepEqual(word, { errors: ['config error: workers: must be "auto" or an integer from 1 to 256'] });
  const level = parseConfig('', 't.yaml', { logLevel: 'chatty' });
  assert.deepEqual(level, { errors: ['config error: log.level: must be one of fatal, error, warn, info, debug, trace, silent'] });
});

test('loadConfigFile reads a file and reports a missing one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-'));
  try {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'chunk_size: 4096\n');
    const result = loadConfigFile(file);
    assert.ok('config' in result && result.config.chunk_size === 4096);
    const missing = join(dir, 'none.yaml');
    assert.deepEqual(loadConfigFile(missing), { errors: [`config error: ${missing}: cannot read: no such file`] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an alias before its anchor, or aliases that expand too far, are config errors, not exceptions', () => {
  assert.deepEqual(errorsOf('vhosts:\n  __defaultVhost__:\n    play:\n      gop_cache: *gop_cache\n'), [
    'config error: test.yaml: Unresolved alias (the anchor must be set before the alias): gop_cache',
  ]);
  const ten = Array.from({ length: 10 }, () => '*a').join(',');
  const bomb = `a: &a [1, 2]\nb: &b [${ten}]\nc: &c [${ten.replaceAll('*a', '*b')}]\nd: [${Array.from({ length: 120 }, () => '*c').join(',')}]\n`;
  const lines = errorsOf(bomb);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^config error: test\.yaml: Excessive alias count/);
});
