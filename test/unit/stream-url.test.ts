// Vhost, app, stream and parameters from tcUrl + stream name, as SRS reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_APP, paramValue, parseTcUrl, resolveStream, streamKey, streamUrl } from '../../src/net/rtmp/stream-url.ts';

function where(tcUrl: string, name: string) {
  const tc = parseTcUrl(tcUrl);
  assert.ok(tc, `tcUrl ${tcUrl} parses`);
  return resolveStream(tc, name);
}

test('parseTcUrl splits schema, host, port, app and the query of the app part', () => {
  assert.deepEqual(parseTcUrl('rtmp://127.0.0.1:1935/live'), { schema: 'rtmp', host: '127.0.0.1', port: 1935, app: 'live', param: '' });
  assert.deepEqual(parseTcUrl('RTMP://example.com/live?k=v'), { schema: 'rtmp', host: 'example.com', port: null, app: 'live', param: '?k=v' });
  assert.deepEqual(parseTcUrl('rtmp://[::1]:1936/a/b'), { schema: 'rtmp', host: '[::1]', port: 1936, app: 'a/b', param: '' });
  assert.equal(parseTcUrl('rtmp://h/live/_definst_')?.app, 'live', '/_definst_ is dropped');
  assert.equal(parseTcUrl('rtmp://h/live/')?.app, 'live');
  assert.equal(parseTcUrl('rtmp://h')?.app, '');
  assert.equal(parseTcUrl('not a url'), null);
  assert.equal(parseTcUrl(''), null);
});

// URL forms as SRS reads them, split as ffmpeg splits these URLs into tcUrl and stream name.
const table: [tcUrl: string, name: string, vhost: string, app: string, stream: string, param: string][] = [
  ['rtmp://127.0.0.1/live', 'a?vhost=vtest.local&k=v', 'vtest.local', 'live', 'a', '?vhost=vtest.local&k=v'],
  ['rtmp://127.0.0.1/live', 'b?vhost=unknown.example', 'unknown.example', 'live', 'b', '?vhost=unknown.example'],
  ['rtmp://127.0.0.1/live...vhost...vtest.local', 'c', 'vtest.local', 'live', 'c', '?vhost=vtest.local'],
  ['rtmp://127.0.0.1/live?vhost=vtest.local', 'd', 'vtest.local', 'live', 'd', '?vhost=vtest.local'],
  ['rtmp://127.0.0.1/live', 'e', '127.0.0.1', 'live', 'e', ''],
  ['rtmp://example.com:1935/live', 'f', 'example.com', 'live', 'f', ''],
  ['rtmp://127.0.0.1/live', 'g?domain=d.example', 'd.example', 'live', 'g', '?domain=d.example'],
  ['rtmp://127.0.0.1/live', 'h?vhost=__defaultVhost__', '127.0.0.1', 'live', 'h', '?vhost=__defaultVhost__'],
  ['rtmp://127.0.0.1/live', 'i...vhost...vtest.local', 'vtest.local', 'live', 'i', '?vhost=vtest.local'],
  ['rtmp://127.0.0.1/', 'j', '127.0.0.1', DEFAULT_APP, 'j', ''],
  ['rtmp://127.0.0.1/live/_definst_', 'k', '127.0.0.1', 'live', 'k', ''],
  ['rtmp://127.0.0.1/live/inst', 'l', '127.0.0.1', 'live/inst', 'l', ''],
  ['rtmp://127.0.0.1/live?token=1', 'm?vhost=vtest.local', 'vtest.local', 'live', 'm', '?vhost=vtest.local&token=1'],
];

for (const [tcUrl, name, vhost, app, stream, param] of table) {
  test(`${tcUrl} + ${name} -> ${vhost} / ${app} / ${stream} ${param}`, () => {
    assert.deepEqual(where(tcUrl, name), { vhost, app, stream, param });
  });
}

test('a comma separates parameters as & does (SRS: ?key=K,vhost=V)', () => {
  assert.equal(where('rtmp://127.0.0.1/app?key=abc,vhost=bandcheck.srs.com', '').vhost, 'bandcheck.srs.com');
  assert.equal(where('rtmp://127.0.0.1/live', 'x?token=t,vhost=name.example').vhost, 'name.example');
  assert.equal(paramValue('?key=abc,vhost=v', 'key'), 'abc');
  assert.equal(paramValue('?a=1&b=2,c=3', 'c'), '3');
  assert.equal(paramValue('?a=1', 'b'), null);
});

test('the stream name wins over the app query when both name a vhost', () => {
  assert.equal(where('rtmp://127.0.0.1/live?vhost=app.example', 'x?vhost=name.example').vhost, 'name.example');
});

test('an empty stream name resolves to an empty stream (the session refuses it)', () => {
  assert.equal(where('rtmp://127.0.0.1/live', '').stream, '');
  assert.equal(where('rtmp://127.0.0.1/live', '?vhost=x').stream, '');
});

test('streamKey and streamUrl name streams as the directory and SRS do', () => {
  assert.equal(streamKey({ vhost: '__defaultVhost__', app: 'live', stream: 'a' }), '__defaultVhost__/live/a');
  assert.equal(streamUrl({ vhost: '__defaultVhost__', app: 'live', stream: 'a' }), '/live/a');
  assert.equal(streamUrl({ vhost: 'vtest.local', app: 'live', stream: 'a' }), 'vtest.local/live/a');
});

test('any string either parses to a tcUrl or gives null, and resolveStream never throws', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (url, name) => {
      const tc = parseTcUrl(url);
      if (tc) {
        const loc = resolveStream(tc, name);
        assert.equal(typeof loc.vhost, 'string');
        assert.ok(!loc.stream.includes('?'));
      }
    }),
  );
});
