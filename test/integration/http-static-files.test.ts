// Static files from `http_server.dir` and HLS files from `hls.path` over real sockets:
// methods, ranges, types, keep-alive, and path traversal attempts that must never reach a
// file outside the folder (raw requests, so no client normalises the path first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';
import { httpGet, rawExchange, statusLines, type HttpAnswer } from '../helpers/http-get.ts';

const SECRET = 'SLUICE-SECRET-OUTSIDE-DIR-7f3a';
const BODY = 'hello static world\n';
const BINARY = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));

let server: TestServer;
let html: string;
before(async () => {
  server = await startServer({
    workers: 2,
    vhost: { hls: { enabled: true, path: './html', fragment: 2, window: 10, cleanup: true } },
  });
  html = join(server.dir, 'html');
  // Outside the served folder, next to it: what every traversal below tries to reach.
  for (const name of ['secret.txt', 'secret.m3u8', 'secret.ts', 'secret.flv']) writeFileSync(join(server.dir, name), SECRET);
  mkdirSync(join(html, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(html, 'hello.txt'), BODY);
  writeFileSync(join(html, 'index.html'), '<h1>index</h1>');
  writeFileSync(join(html, 'sub', 'index.html'), '<h1>sub</h1>');
  writeFileSync(join(html, 'sub', 'data.bin'), BINARY);
  writeFileSync(join(html, 'sub', 'deeper', 'x.json'), '{"a":1}');
  writeFileSync(join(html, 'empty.txt'), '');
  writeFileSync(join(html, 'a b.txt'), 'space');
  // Symlinks that point out of the folder, to a file and to a folder.
  symlinkSync(join(server.dir, 'secret.txt'), join(html, 'link.txt'));
  symlinkSync(join(server.dir, 'secret.ts'), join(html, 'link.ts'));
  symlinkSync(server.dir, join(html, 'outside'));
  // And one that stays inside: allowed.
  symlinkSync(join(html, 'hello.txt'), join(html, 'alias.txt'));
});
after(async () => {
  await server?.stop();
});

test('GET serves files with their type, length and CORS; folders serve index.html; unknown is 404', async () => {
  const r = await httpGet(server.httpUrl('hello.txt'));
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), BODY);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  assert.equal(r.headers['content-length'], String(BODY.length));
  assert.equal(r.headers['accept-ranges'], 'bytes');
  assert.equal(r.headers['access-control-allow-origin'], '*');

  const bin = await httpGet(server.httpUrl('sub/data.bin'));
  assert.equal(bin.status, 200);
  assert.ok(bin.body.equals(BINARY));
  assert.equal(bin.headers['content-type'], 'application/octet-stream');
  assert.equal((await httpGet(server.httpUrl('sub/deeper/x.json'))).headers['content-type'], 'application/json');
  assert.equal((await httpGet(server.httpUrl('a%20b.txt'))).body.toString(), 'space');
  assert.equal((await httpGet(server.httpUrl('alias.txt'))).body.toString(), BODY, 'a symlink inside dir is served');

  const root = await httpGet(server.httpUrl(''));
  assert.equal(root.status, 200);
  assert.equal(root.body.toString(), '<h1>index</h1>');
  assert.match(String(root.headers['content-type']), /^text\/html/);
  assert.equal((await httpGet(server.httpUrl('sub/'))).body.toString(), '<h1>sub</h1>');

  const empty = await httpGet(server.httpUrl('empty.txt'));
  assert.equal(empty.status, 200);
  assert.equal(empty.headers['content-length'], '0');

  for (const path of ['nope.txt', 'sub/nope/x', 'live/none.m3u8', 'live/none-1.ts']) {
    const n = await httpGet(server.httpUrl(path));
    assert.equal(n.status, 404, path);
  }
  assert.equal((await httpGet(server.httpUrl('live/none.m3u8'))).body.toString(), 'Not Found');
});

test('HEAD answers the headers of GET without a body', async () => {
  const r = await rawExchange(server.httpPort, 'HEAD /sub/data.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(r.status, 200);
  const [head, body] = splitHead(r.raw);
  assert.match(head, /\r\ncontent-length: 1000\r\n/i);
  assert.equal(body.length, 0, 'HEAD sent a body');
});

test('Range: 206 with Content-Range; suffix and open ranges; unsatisfiable 416; multiple ranges get 200', async () => {
  const url = server.httpUrl('sub/data.bin');
  const r = await httpGet(url, { headers: { Range: 'bytes=10-19' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], 'bytes 10-19/1000');
  assert.equal(r.headers['content-length'], '10');
  assert.ok(r.body.equals(BINARY.subarray(10, 20)));

  const suffix = await httpGet(url, { headers: { Range: 'bytes=-5' } });
  assert.equal(suffix.status, 206);
  assert.ok(suffix.body.equals(BINARY.subarray(995)));
  const open = await httpGet(url, { headers: { Range: 'bytes=990-' } });
  assert.equal(open.headers['content-range'], 'bytes 990-999/1000');
  assert.ok(open.body.equals(BINARY.subarray(990)));
  const past = await httpGet(url, { headers: { Range: 'bytes=900-5000' } });
  assert.equal(past.status, 206);
  assert.equal(past.headers['content-range'], 'bytes 900-999/1000');

  const bad = await httpGet(url, { headers: { Range: 'bytes=1000-1010' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], 'bytes */1000');
  const many = await httpGet(url, { headers: { Range: 'bytes=0-1,5-6' } });
  assert.equal(many.status, 200);
  assert.equal(many.body.length, 1000);
});

test('POST, PUT and DELETE get 405 with Allow; OPTIONS gets the CORS preflight answer', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await httpGet(server.httpUrl('hello.txt'), { method });
    assert.equal(r.status, 405, method);
    assert.match(String(r.headers.allow), /GET/);
  }
  const o = await httpGet(server.httpUrl('hello.txt'), { method: 'OPTIONS' });
  assert.equal(o.status, 200);
  assert.equal(o.headers['access-control-allow-origin'], '*');
});

test('keep-alive: two requests on one connection get two answers', async () => {
  const req = 'GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const r = await rawExchange(server.httpPort, req + req.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'), 5000);
  assert.deepEqual(statusLines(r.raw), [200, 200]);
});

const TRAVERSALS = [
  '/../secret.txt',
  '/../../secret.txt',
  '/sub/../../secret.txt',
  '/./../secret.txt',
  '//../secret.txt',
  '/%2e%2e/secret.txt',
  '/%2E%2E/secret.txt',
  '/.%2e/secret.txt',
  '/%2e./secret.txt',
  '/sub/%2e%2e/%2e%2e/secret.txt',
  '/..%2fsecret.txt',
  '/..%2Fsecret.txt',
  '/%2e%2e%2fsecret.txt',
  '/sub/..%2f..%2fsecret.txt',
  '/..%5csecret.txt',
  '/..\\secret.txt',
  '/%252e%252e/secret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/%2e%2e%00/secret.txt',
  '/secret.txt%00.html',
  '/..;/secret.txt',
  '/%2e%2e/secret.m3u8',
  '/%2e%2e/secret.ts',
  '/..%2fsecret.ts',
  '/sub/..%2f..%2fsecret.m3u8',
  '/link.txt',
  '/link.ts',
  '/outside/secret.txt',
  '/outside/secret.m3u8',
  '/outside/html/../secret.txt',
  `/${'..%2f'.repeat(12)}etc/passwd`,
  '/%2fetc%2fpasswd',
  'http://127.0.0.1/../secret.txt',
  '../secret.txt',
];

test('path traversal over a raw socket: 403 or 404, never a byte of a file outside dir', async () => {
  const wrong: string[] = [];
  for (const target of TRAVERSALS) {
    const r = await rawExchange(server.httpPort, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const text = r.raw.toString('latin1');
    if (text.includes(SECRET) || text.includes('root:x:0:0')) wrong.push(`${target}: LEAKED a file outside dir`);
    // 400 is the HTTP parser refusing the request line itself: nothing was looked up.
    else if (![400, 403, 404].includes(r.status)) wrong.push(`${target}: status ${r.status}`);
  }
  assert.deepEqual(wrong, []);
});

test('HLS files are served from hls.path as application/vnd.apple.mpegurl and video/MP2T, with ranges', async () => {
  const pub = publish(server.rtmpUrl('live/types'), 'av-1mbps.flv', { loop: true });
  try {
    const m3u8 = await until(async () => {
      const r = await httpGet(server.httpUrl('live/types.m3u8'));
      return r.status === 200 && r.body.includes('.ts') ? r : null;
    }, 15000, 'playlist') as HttpAnswer;
    assert.equal(m3u8.headers['content-type'], 'application/vnd.apple.mpegurl');
    assert.equal(m3u8.headers['access-control-allow-origin'], '*');
    const uri = m3u8.body.toString().split('\n').find((l) => l.endsWith('.ts'))!;
    const ts = await httpGet(new URL(uri, server.httpUrl('live/types.m3u8')).toString());
    assert.equal(ts.status, 200);
    assert.equal(ts.headers['content-type'], 'video/MP2T');
    assert.equal(ts.headers['content-length'], String(ts.body.length));
    assert.equal(ts.body.length % 188, 0);
    const part = await httpGet(new URL(uri, server.httpUrl('live/types.m3u8')).toString(), { headers: { Range: 'bytes=188-375' } });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(ts.body.subarray(188, 376)));
    assert.equal(part.body[0], 0x47);
    const head = await httpGet(server.httpUrl('live/types.m3u8'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'application/vnd.apple.mpegurl');
  } finally {
    await pub.stop();
  }
});

function splitHead(raw: Buffer): [string, Buffer] {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? [raw.toString('latin1'), Buffer.alloc(0)] : [raw.subarray(0, end + 2).toString('latin1'), raw.subarray(end + 4)];
}
