// How hook answers are judged (SRS's rule: HTTP 200 or 201, and a body `0` or an object
// whose `code` is 0), and how a list of URLs is called: in order, headers as SRS sends
// them, cut at the timeout, stopping at the first failure only for the events that can
// refuse a client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { judgeHookResponse } from '../../src/net/hooks/hook-judge.ts';
import { callHook, HookCounts } from '../../src/actors/hooks/hooks.ts';
import { SERVER_NAME } from '../../src/actors/worker/server-identity.ts';

const judging: { status: number; body: string; ok: boolean }[] = [
  { status: 200, body: '0', ok: true },
  { status: 200, body: '{"code":0}', ok: true },
  { status: 200, body: '{"code":0,"msg":"fine"}', ok: true },
  { status: 201, body: '0', ok: true },
  { status: 201, body: '{"code":0}', ok: true },
  { status: 403, body: '0', ok: false },
  { status: 403, body: '{"code":0}', ok: false },
  { status: 500, body: '', ok: false },
  { status: 204, body: '', ok: false },
  { status: 200, body: '{"code":1}', ok: false },
  { status: 200, body: '{"code":1,"msg":"no"}', ok: false },
  { status: 200, body: '{"code":"0"}', ok: false },
  { status: 200, body: '{}', ok: false },
  { status: 200, body: '', ok: false },
  { status: 200, body: '1', ok: false },
  { status: 200, body: 'null', ok: false },
  { status: 200, body: '[0]', ok: false },
  { status: 200, body: '"0"', ok: false },
  { status: 200, body: 'ok', ok: false },
  { status: 200, body: '<html></html>', ok: false },
];

for (const row of judging) {
  test(`HTTP ${row.status} with body ${JSON.stringify(row.body)} is ${row.ok ? 'allowed' : 'denied'}`, () => {
    assert.equal(judgeHookResponse(row.status, row.body).ok, row.ok);
  });
}

// A receiver whose answer depends on the path: /ok, /deny, /403, /hang.
interface Received { path: string; headers: http.IncomingHttpHeaders; body: string }
let server: http.Server;
let base = '';
const received: Received[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/deny') return void res.end('1');
      if (req.url === '/403') {
        res.writeHead(403);
        return void res.end('0');
      }
      res.end('0');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('each URL gets a POST with the JSON body and the SRS headers, in order', async () => {
  received.length = 0;
  const out = await callHook('on_connect', [`${base}/ok?n=1`, `${base}/ok?n=2`], { action: 'on_connect', client_id: 'x' });
  assert.equal(out.allowed, true);
  assert.deepEqual(received.map((r) => r.path), ['/ok?n=1', '/ok?n=2']);
  const h = received[0]!.headers;
  assert.equal(h['content-type'], 'application/json');
  assert.equal(h['user-agent'], SERVER_NAME);
  assert.equal(h['connection']?.toLowerCase(), 'keep-alive');
  assert.equal(h['content-length'], String(Buffer.byteLength(received[0]!.body)));
  assert.equal(received[0]!.body, '{"action":"on_connect","client_id":"x"}');
});

test('a denying event stops at the first failing URL', async () => {
  received.length = 0;
  const out = await callHook('on_publish', [`${base}/ok`, `${base}/deny`, `${base}/ok?after`], {});
  assert.equal(out.allowed, false);
  assert.deepEqual(received.map((r) => r.path), ['/ok', '/deny']);
  assert.deepEqual(out.calls.map((c) => c.result), ['ok', 'denied']);
});

test('a non-denying event calls every URL even after a failure', async () => {
  received.length = 0;
  const out = await callHook('on_unpublish', [`${base}/403`, `${base}/ok`], {});
  assert.equal(out.allowed, true);
  assert.deepEqual(received.map((r) => r.path), ['/403', '/ok']);
  assert.deepEqual(out.calls.map((c) => [c.result, c.status]), [['denied', 403], ['ok', 200]]);
});

test('a hook that hangs is cut at the timeout and denies', async () => {
  const t0 = Date.now();
  const out = await callHook('on_play', [`${base}/hang`, `${base}/ok`], {}, { timeoutMs: 400 });
  const ms = Date.now() - t0;
  assert.equal(out.allowed, false);
  assert.equal(out.calls[0]!.result, 'timeout');
  assert.equal(out.calls.length, 1);
  assert.ok(ms >= 390 && ms < 2000, `took ${ms} ms`);
});

test('a hook server that is down denies at once with an error', async () => {
  const down = http.createServer();
  await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
  const port = (down.address() as AddressInfo).port;
  await new Promise<void>((r) => down.close(() => r()));
  const out = await callHook('on_play', [`http://127.0.0.1:${port}/`], {});
  assert.equal(out.allowed, false);
  assert.equal(out.calls[0]!.result, 'error');
});

test('a URL that is not http(s) is an error, never a throw', async () => {
  const out = await callHook('on_connect', ['ftp://example/x', 'not a url'], {});
  assert.equal(out.allowed, false);
  assert.equal(out.calls[0]!.result, 'error');
});

test('calls are counted by event and result', async () => {
  const counts = new HookCounts();
  await callHook('on_stop', [`${base}/deny`, `${base}/deny`], {}, { counts });
  await callHook('on_stop', [`${base}/ok`], {}, { counts });
  assert.deepEqual(counts.list(), [
    { event: 'on_stop', result: 'denied', count: 2 },
    { event: 'on_stop', result: 'ok', count: 1 },
  ]);
});
