// The pure helpers around tokens: finding and removing `token=` in RTMP/HTTP queries,
// adding it to the URIs of a served playlist, and naming the stream of an HLS file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenOf, withoutToken, urlWithoutToken } from '../../src/auth/token-query.ts';
import { addQueryToUris } from '../../src/net/hls/playlist-query.ts';
import { matchHlsFile } from '../../src/net/hls/hls-file-match.ts';

test('tokenOf: the first token= of a query, percent-decoded', () => {
  const table: [string, string | null][] = [
    ['', null],
    ['?token=abc', 'abc'],
    ['token=abc', 'abc'],
    ['?a=1&token=a.b.c&token=zzz', 'a.b.c'],
    ['?a=1?token=x', 'x'],
    ['?mytoken=1&token_x=2', null],
    ['?token=', ''],
    ['?token=a%2Eb', 'a.b'],
    ['?token=%E0%A4%A', '%E0%A4%A'],
  ];
  for (const [q, want] of table) assert.equal(tokenOf(q), want, q);
});

test('withoutToken and urlWithoutToken keep everything else', () => {
  const table: [string, string][] = [
    ['', ''],
    ['?token=abc', ''],
    ['?a=1&token=abc', '?a=1'],
    ['?token=abc&vhost=v&sluice_hops=1', '?vhost=v&sluice_hops=1'],
    ['a=1&token=x&token=y', 'a=1'],
    ['?a=1', '?a=1'],
    ['?tokenizer=1', '?tokenizer=1'],
  ];
  for (const [q, want] of table) assert.equal(withoutToken(q), want, q);
  assert.equal(urlWithoutToken('rtmp://h:1935/live?token=abc'), 'rtmp://h:1935/live');
  assert.equal(urlWithoutToken('rtmp://h/live?vhost=v&token=abc'), 'rtmp://h/live?vhost=v');
  assert.equal(urlWithoutToken('/live/x.flv?token=abc#frag'), '/live/x.flv#frag');
  assert.equal(urlWithoutToken('rtmp://h/live'), 'rtmp://h/live');
});

test('a served playlist carries the query on every relative URI, never on absolute ones', () => {
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXTINF:2.000,',
    'x-1.ts',
    '#EXTINF:2.000,',
    'x-2.ts?v=1',
    '#EXT-X-PART:DURATION=0.2,URI="x-3.0.m4s"',
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="x-3.1.m4s"',
    'https://cdn.example.com/x-4.ts',
    '//cdn.example.com/x-5.ts',
    '',
  ].join('\r\n');
  assert.equal(addQueryToUris(playlist, 'token=T'), [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-MAP:URI="init.mp4?token=T"',
    '#EXTINF:2.000,',
    'x-1.ts?token=T',
    '#EXTINF:2.000,',
    'x-2.ts?v=1&token=T',
    '#EXT-X-PART:DURATION=0.2,URI="x-3.0.m4s?token=T"',
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="x-3.1.m4s?token=T"',
    'https://cdn.example.com/x-4.ts',
    '//cdn.example.com/x-5.ts',
    '',
  ].join('\r\n'));
  assert.equal(addQueryToUris('#EXTM3U\nx.ts\n', ''), '#EXTM3U\nx.ts\n');
});

test('an HLS request names its app/stream through the file templates', () => {
  const table: [string, string, { app: string; stream: string } | null][] = [
    ['[app]/[stream].m3u8', '/live/x.m3u8', { app: 'live', stream: 'x' }],
    ['[app]/[stream]-[seq].ts', '/live/x-12.ts', { app: 'live', stream: 'x' }],
    ['[app]/[stream]-[seq].ts', '/live/a-b-12.ts', { app: 'live', stream: 'a-b' }],
    ['[app]/[stream]-[seq].ts', '/live/x.ts', null],
    ['[app]/[stream]/[stream]-[seq].ts', '/live/x/x-3.ts', { app: 'live', stream: 'x' }],
    ['[app]/[stream]/[stream]-[seq].ts', '/live/x/y-3.ts', null],
    ['[vhost]/[app]/[stream].m3u8', '/v.example/live/x.m3u8', { app: 'live', stream: 'x' }],
    ['[app]/[stream].[timestamp]-[seq].ts', '/live/x.1700000000-3.ts', { app: 'live', stream: 'x' }],
    ['[app]/[stream].m3u8', '/live/%ZZ.m3u8', null],
    ['[app]/[stream].m3u8', '/x.m3u8', null],
  ];
  for (const [template, path, want] of table) assert.deepEqual(matchHlsFile(template, path), want, `${template} ${path}`);
});
