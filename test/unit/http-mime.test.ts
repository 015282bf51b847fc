import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONTENT_TYPE, contentTypeFor } from '../../src/net/http/mime.ts';

const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['live/test.m3u8', 'application/vnd.apple.mpegurl'],
  ['/hls/live/test-12.ts', 'video/MP2T'],
  ['live.flv', 'video/x-flv'],
  ['index.html', 'text/html; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
  ['data.json', 'application/json'],
  ['movie.mp4', 'video/mp4'],
  ['chunk-1.m4s', 'video/iso.segment'],
  ['readme.txt', 'text/plain; charset=utf-8'],
  ['logo.png', 'image/png'],
  ['photo.jpg', 'image/jpeg'],
  ['photo.JPEG', 'image/jpeg'],
  ['icon.svg', 'image/svg+xml'],
  ['favicon.ico', 'image/x-icon'],
  ['crossdomain.xml', 'text/xml; charset=utf-8'],
  ['TEST.M3U8', 'application/vnd.apple.mpegurl'],
  ['archive.tar.gz', DEFAULT_CONTENT_TYPE],
  ['noext', DEFAULT_CONTENT_TYPE],
  ['.bashrc', DEFAULT_CONTENT_TYPE],
  ['/dir.d/file', DEFAULT_CONTENT_TYPE],
  ['/dir/.m3u8', DEFAULT_CONTENT_TYPE],
  ['trailing.', DEFAULT_CONTENT_TYPE],
  ['x.constructor', DEFAULT_CONTENT_TYPE],
  ['x.__proto__', DEFAULT_CONTENT_TYPE],
];

test('content types follow the extension table, defaulting to octet-stream', () => {
  assert.equal(DEFAULT_CONTENT_TYPE, 'application/octet-stream');
  for (const [name, type] of TABLE) assert.equal(contentTypeFor(name), type, name);
});
