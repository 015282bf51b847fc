import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isInside, resolveSafePath } from '../../src/net/http/paths.ts';

const ROOT = '/srv/sluice/html';

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ['/', ROOT],
  ['/index.html', `${ROOT}/index.html`],
  ['/live/test.m3u8?hls_ctx=abc', `${ROOT}/live/test.m3u8`],
  ['/live/test-1.ts#frag', `${ROOT}/live/test-1.ts`],
  ['/a/./b', `${ROOT}/a/b`],
  ['//etc/passwd', `${ROOT}/etc/passwd`], // stays inside: "//" collapses
  ['/live//x.flv', `${ROOT}/live/x.flv`],
  ['/dir/', `${ROOT}/dir`],
  ['/with%20space.txt', `${ROOT}/with space.txt`],
  ['/%E2%82%AC.txt', `${ROOT}/\u20ac.txt`],
  ['/%252e%252e/x', `${ROOT}/%2e%2e/x`], // decoded once: a literal name, not ".."
  ['/...', `${ROOT}/...`],
  ['/..foo', `${ROOT}/..foo`],
  ['/C:/windows', `${ROOT}/C:/windows`],
];

const REFUSED: readonly string[] = [
  '',
  '*',
  'index.html',
  'http://evil/etc/passwd',
  '/../etc/passwd',
  '/..',
  '/a/../../etc/passwd',
  '/a/../b', // any ".." is refused, even one that would stay inside
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%2E%2E/etc/passwd',
  '/a/%2e%2e%2f%2e%2e%2fetc/passwd',
  '/..%2fetc/passwd',
  '/%2e%2e%2fetc%2fpasswd',
  '/..%5c..%5cwindows',
  '/..\\..\\windows',
  '/a\\b',
  '/%00',
  '/index.html%00.txt',
  '/a\u0000b',
  '/%0a',
  '/%',
  '/%zz',
  '/%2',
  '/%C0%AE%C0%AE/etc/passwd', // overlong UTF-8 dots: invalid, refused by the decoder
  '/%ff',
];

test('paths inside the root resolve to files under it', () => {
  for (const [url, expected] of ALLOWED) assert.equal(resolveSafePath(ROOT, url), expected, url);
});

test('traversal and malformed paths are refused', () => {
  for (const url of REFUSED) assert.equal(resolveSafePath(ROOT, url), null, JSON.stringify(url));
});

test('a relative root is resolved, and a trailing slash on the root does not matter', () => {
  assert.equal(resolveSafePath('html', '/a.txt'), path.resolve('html', 'a.txt'));
  assert.equal(resolveSafePath(`${ROOT}/`, '/a.txt'), `${ROOT}/a.txt`);
  assert.equal(resolveSafePath('/', '/etc/passwd'), '/etc/passwd');
});

test('isInside compares whole path segments', () => {
  assert.ok(isInside('/srv/a', '/srv/a'));
  assert.ok(isInside('/srv/a', '/srv/a/b'));
  assert.ok(!isInside('/srv/a', '/srv/ab'));
  assert.ok(!isInside('/srv/a', '/srv'));
  assert.ok(isInside('/', '/anything'));
});

test('random paths resolve to null or to a path inside the root', () => {
  const pieces = fc.constantFrom('/', '.', '..', '%2e', '%2E', '%2f', '%2F', '%5c', '\\', '%00', '%', 'a', 'etc', '%25', '?', '#', '~', ':');
  const url = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')),
    fc.array(pieces, { maxLength: 12 }).map((a) => `/${a.join('')}`),
  );
  fc.assert(
    fc.property(url, (u) => {
      const r = resolveSafePath(ROOT, u);
      if (r === null) return;
      assert.ok(r === ROOT || r.startsWith(`${ROOT}/`), `${JSON.stringify(u)} -> ${r}`);
      assert.equal(path.normalize(r), r);
      assert.ok(!r.split('/').includes('..'));
    }),
    { numRuns: 5000 },
  );
});
