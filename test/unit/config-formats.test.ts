import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHttpUrl, isRuleSource, parseHostPort } from '../../src/config/formats.ts';
import { validateConfig } from '../../src/config/load.ts';

test('host:port table', () => {
  const table: [string, ReturnType<typeof parseHostPort>][] = [
    ['127.0.0.1:1935', { host: '127.0.0.1', port: 1935 }],
    ['example.com:80', { host: 'example.com', port: 80 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost', null],
    ['localhost:', null],
    ['localhost:0', null],
    ['localhost:65536', null],
    ['::1:80', null],
    ['[::1]', null],
    ['a b:1', null],
    [':1935', null],
    ['host:19x', null],
  ];
  for (const [text, expected] of table) assert.deepEqual(parseHostPort(text), expected, text);
  assert.deepEqual(parseHostPort('origin.example.com', true), { host: 'origin.example.com', port: undefined });
});

test('rule source table', () => {
  for (const ok of ['all', '10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', '2001:db8::/32', 'fe80::/128']) {
    assert.equal(isRuleSource(ok), true, ok);
  }
  for (const bad of ['ALL', '10.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '::/129', 'example.com', '10.0.0.0/8/8', '']) {
    assert.equal(isRuleSource(bad), false, bad);
  }
});

test('http url table', () => {
  for (const ok of ['http://127.0.0.1:8085/api/v1/streams', 'https://auth.example.com/p?x=1']) assert.equal(isHttpUrl(ok), true, ok);
  for (const bad of ['ftp://x/y', 'not a url', '127.0.0.1:8085/x', 'http://', 'file:///etc/passwd']) assert.equal(isHttpUrl(bad), false, bad);
});

test('format checks never throw on random strings', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    parseHostPort(s);
    parseHostPort(s, true);
    isRuleSource(s);
    isHttpUrl(s);
  }), { numRuns: 2000 });
});

test('valid host:port strings round-trip', () => {
  fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
    assert.deepEqual(parseHostPort(`${ip}:${port}`), { host: ip, port });
  }));
});

test('any JSON value either validates or yields config error lines, never a throw', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
    const result = validateConfig(value);
    if ('errors' in result) {
      assert.ok(result.errors.length > 0);
      for (const line of result.errors) assert.match(line, /^config error: .+: .+$/);
    }
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.dictionary(fc.constantFrom('listen', 'workers', 'chunk_size', 'log', 'vhosts', 'hls'), fc.jsonValue({ maxDepth: 3 })), (value) => {
    const result = validateConfig(value);
    assert.ok('errors' in result || 'config' in result);
  }), { numRuns: 500 });
});
