import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CORS_HEADERS } from '../../src/io/cors.ts';
import { sendText } from '../../src/io/http-errors.ts';
import { httpServerOptions } from '../../src/io/request-limits.ts';
import { SERVER_HEADER_VALUE } from '../../src/net/http/server-header.ts';
import { realPathWithin, serveStatic } from '../../src/io/static-files.ts';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';
const HELLO = 'hello, sluice\n';
const BIG_SIZE = 16 * 1024 * 1024;

let base = '';
let root = '';
let server: http.Server;
let port = 0;

before(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), 'sluice-http-static-'));
  root = path.join(base, 'root');
  mkdirSync(root);
  mkdirSync(path.join(root, 'sub'));
  mkdirSync(path.join(root, 'empty-dir'));
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(base, 'secret.txt'), SECRET);
  writeFileSync(path.join(base, 'outside', 'secret.txt'), SECRET);
  writeFileSync(path.join(base, 'passwd'), SECRET);
  writeFileSync(path.join(root, 'hello.txt'), HELLO);
  writeFileSync(path.join(root, 'empty.txt'), '');
  writeFileSync(path.join(root, 'live.m3u8'), '#EXTM3U\n');
  writeFileSync(path.join(root, 'sub', 'index.html'), '<h1>sub</h1>');
  writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(BIG_SIZE, 7));
  symlinkSync(path.join(root, 'hello.txt'), path.join(root, 'link-in.txt'));
  symlinkSync('../secret.txt', path.join(root, 'link-out.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'dir-link-out'));
  symlinkSync(path.join(root, 'sub'), path.join(root, 'dir-link-in'));
  execFileSync('mkfifo', [path.join(root, 'pipe.ts')]);

  server = http.createServer(httpServerOptions(), (req, res) => {
    serveStatic(req, res, root, { cacheControl: 'no-cache' }).then(
      (handled) => {
        if (!handled) sendText(res, 404, 'Not Found');
      },
      (err: unknown) => {
        sendText(res, 500, String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(base, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request over a bare socket, so the path reaches the server exactly as written. */
function raw(requestTarget: string, method = 'GET', extraHeaders = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer for ${requestTarget}`));
    }, 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[0]!.split(' ')[1]), headers, body: all.subarray(split + 4) });
    });
    socket.write(`${method} ${requestTarget} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraHeaders}\r\n`);
  });
}

function url(p: string): string {
  return `http://127.0.0.1:${port}${p}`;
}

test('GET serves a file with type, length, dates, ranges, cache, CORS and Server headers', async () => {
  const res = await fetch(url('/hello.txt'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(res.headers.get('content-length'), String(HELLO.length));
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.ok(!Number.isNaN(Date.parse(res.headers.get('last-modified') ?? '')));
  assert.equal(res.headers.get('server'), SERVER_HEADER_VALUE);
  assert.match(SERVER_HEADER_VALUE, /^Sluice\/\d+\.\d+\.\d+/);
  for (const [k, v] of Object.entries(CORS_HEADERS)) assert.equal(res.headers.get(k), v, k);
  assert.equal(await res.text(), HELLO);

  const m3u8 = await fetch(url('/live.m3u8?hls_ctx=abcdefgh'));
  assert.equal(m3u8.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.equal(await m3u8.text(), '#EXTM3U\n');
});

test('HEAD sends the headers and no body', async () => {
  const res = await raw('/hello.txt', 'HEAD');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], String(HELLO.length));
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.body.length, 0);
});

test('ranges give 206 with Content-Range; past the end gives 416', async () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['bytes=0-4', 'hello', `bytes 0-4/${HELLO.length}`],
    ['bytes=7-', 'sluice\n', `bytes 7-${HELLO.length - 1}/${HELLO.length}`],
    ['bytes=-7', 'sluice\n', `bytes 7-${HELLO.length - 1}/${HELLO.length}`],
    ['bytes=-1000', HELLO, `bytes 0-${HELLO.length - 1}/${HELLO.length}`],
  ];
  for (const [range, body, contentRange] of cases) {
    const res = await fetch(url('/hello.txt'), { headers: { Range: range } });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), contentRange, range);
    assert.equal(res.headers.get('content-length'), String(body.length), range);
    assert.equal(await res.text(), body, range);
  }
  const unsat = await fetch(url('/hello.txt'), { headers: { Range: 'bytes=1000-' } });
  assert.equal(unsat.status, 416);
  assert.equal(unsat.headers.get('content-range'), `bytes */${HELLO.length}`);
  await unsat.arrayBuffer();

  const empty = await fetch(url('/empty.txt'), { headers: { Range: 'bytes=0-' } });
  assert.equal(empty.status, 416);
  assert.equal(empty.headers.get('content-range'), 'bytes */0');
  await empty.arrayBuffer();
});

test('multiple ranges, bad range syntax and a stale If-Range give the whole file', async () => {
  for (const headers of [
    { Range: 'bytes=0-1,3-4' },
    { Range: 'bytes=oops' },
    { Range: 'bytes=0-4', 'If-Range': 'Thu, 01 Jan 1970 00:00:00 GMT' },
  ]) {
    const res = await fetch(url('/hello.txt'), { headers });
    assert.equal(res.status, 200, JSON.stringify(headers));
    assert.equal(await res.text(), HELLO);
  }
  const first = await fetch(url('/hello.txt'));
  await first.arrayBuffer();
  const lm = first.headers.get('last-modified') ?? '';
  const fresh = await fetch(url('/hello.txt'), { headers: { Range: 'bytes=0-4', 'If-Range': lm } });
  assert.equal(fresh.status, 206);
  assert.equal(await fresh.text(), 'hello');
});

test('an empty file is served with length 0', async () => {
  const res = await fetch(url('/empty.txt'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), '0');
  assert.equal(await res.text(), '');
});

test('methods other than GET and HEAD get 405 with Allow; OPTIONS gets 200 with CORS', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const res = await fetch(url('/hello.txt'), { method, body: method === 'DELETE' ? null : 'x' });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
    await res.arrayBuffer();
  }
  const opt = await fetch(url('/hello.txt'), { method: 'OPTIONS' });
  assert.equal(opt.status, 200);
  assert.equal(opt.headers.get('access-control-allow-origin'), '*');
  assert.equal(await opt.text(), '');
});

test('missing files, empty folders and FIFOs are left to the caller (404)', async () => {
  for (const p of ['/nope.txt', '/empty-dir/', '/empty-dir', '/hello.txt/x', '/pipe.ts']) {
    const res = await fetch(url(p));
    assert.equal(res.status, 404, p);
    assert.equal(await res.text(), 'Not Found');
  }
});

test('a folder serves its index.html', async () => {
  for (const p of ['/sub/', '/sub', '/dir-link-in/']) {
    const res = await fetch(url(p));
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), '<h1>sub</h1>');
  }
});

test('traversal attempts never return a file outside the root', async () => {
  const attempts = [
    '/../etc/passwd',
    '/../passwd',
    '/../secret.txt',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e/secret.txt',
    '/a/%2e%2e%2f%2e%2e%2fetc/passwd',
    '/sub/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5c..%5cwindows',
    '/..%5csecret.txt',
    '//etc/passwd',
    '/%00',
    '/hello.txt%00.png',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/..',
  ];
  for (const attempt of attempts) {
    const res = await raw(attempt);
    assert.ok(res.status === 403 || res.status === 404 || res.status === 400, `${attempt} -> ${res.status}`);
    assert.ok(!res.body.toString('latin1').includes(SECRET), attempt);
  }
  assert.equal((await raw('/../secret.txt')).status, 403);
  assert.equal((await raw('/%2e%2e/%2e%2e/etc/passwd')).status, 403);
});

test('a symlink pointing out of the root is refused; one pointing inside works', async () => {
  const out = await raw('/link-out.txt');
  assert.equal(out.status, 403);
  assert.ok(!out.body.toString().includes(SECRET));
  const dirOut = await raw('/dir-link-out/secret.txt');
  assert.equal(dirOut.status, 403);
  assert.ok(!dirOut.body.toString().includes(SECRET));

  const inside = await fetch(url('/link-in.txt'));
  assert.equal(inside.status, 200);
  assert.equal(await inside.text(), HELLO);

  // what HLS token playlists use to resolve a file before reading it
  assert.equal(await realPathWithin(root, path.join(root, 'link-in.txt')), path.join(await realpath(root), 'hello.txt'));
  assert.equal(await realPathWithin(root, path.join(root, 'link-out.txt')), null);
  assert.equal(await realPathWithin(root, path.join(root, 'missing')), null);
});

function openFdsTo(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

test('clients that abort mid-download do not leak file descriptors', async () => {
  const big = path.join(root, 'big.bin');
  for (let i = 0; i < 10; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', reject);
      socket.once('data', () => {
        socket.destroy();
        resolve();
      });
      socket.write('GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
  }
  const deadline = Date.now() + 5000;
  while (openFdsTo(big) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(openFdsTo(big), 0);

  // A complete download still works and closes its descriptor too.
  const res = await fetch(url('/big.bin'), { headers: { Range: `bytes=${BIG_SIZE - 10}-` } });
  assert.equal(res.status, 206);
  assert.equal((await res.arrayBuffer()).byteLength, 10);
  const full = await fetch(url('/big.bin'));
  assert.equal((await full.arrayBuffer()).byteLength, BIG_SIZE);
  const deadline2 = Date.now() + 5000;
  while (openFdsTo(big) > 0 && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 50));
  assert.equal(openFdsTo(big), 0);
});
