import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { CORS_HEADERS, answerOptions } from '../../src/io/cors.ts';
import { sendJson, sendText } from '../../src/io/http-errors.ts';
import { SERVER_HEADER_VALUE } from '../../src/net/http/server-header.ts';

let server: http.Server;
let port = 0;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') answerOptions(res);
    else if (req.url === '/json') sendJson(res, 200, { code: 0, server: 'vid-x', data: { n: 'é' } });
    else if (req.url === '/late') {
      res.writeHead(200);
      res.write('partial');
      sendText(res, 500, 'too late'); // must cut the connection rather than corrupt the answer
    } else sendText(res, 404, 'Not Found', { 'X-Extra': '1' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('CORS headers are the SRS set, frozen', () => {
  assert.ok(Object.isFrozen(CORS_HEADERS));
  assert.deepEqual({ ...CORS_HEADERS }, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    'Access-Control-Allow-Methods': '*',
    'Access-Control-Expose-Headers': '*',
    'Access-Control-Allow-Credentials': 'false',
    'Access-Control-Request-Private-Network': 'true',
  });
});

test('sendText answers text/plain with length, CORS, Server and extra headers', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/missing`);
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(res.headers.get('content-length'), '9');
  assert.equal(res.headers.get('server'), SERVER_HEADER_VALUE);
  assert.equal(res.headers.get('x-extra'), '1');
  for (const [k, v] of Object.entries(CORS_HEADERS)) assert.equal(res.headers.get(k), v, k);
  assert.equal(await res.text(), 'Not Found');
});

test('sendJson answers application/json with a byte-exact length', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/json`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const text = await res.text();
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
  assert.deepEqual(JSON.parse(text), { code: 0, server: 'vid-x', data: { n: 'é' } });
});

test('OPTIONS gets 200, an empty body and the CORS headers', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/streams/`, { method: 'OPTIONS' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-methods'), '*');
  assert.equal(await res.text(), '');
});

test('an error after the headers went out cuts the connection', async () => {
  await assert.rejects(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/late`);
    await res.text();
  });
});
