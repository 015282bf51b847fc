import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { sendJson } from '../../src/io/http-errors.ts';
import {
  HTTP_LIMITS,
  applyHttpLimits,
  clientErrorStatus,
  httpServerOptions,
  readBody,
  readBodyOrReply,
} from '../../src/io/request-limits.ts';

const LIMIT = 1000;
let server: http.Server;
let port = 0;
const clientErrors: string[] = [];
let lastReadError: unknown = null;
let readSettled: (() => void) | null = null;

before(async () => {
  server = http.createServer(httpServerOptions(), (req, res) => {
    if (req.url === '/echo') {
      void readBodyOrReply(req, res, LIMIT).then((body) => {
        if (body !== null) sendJson(res, 200, { length: body.length, text: body.toString() });
      });
      return;
    }
    if (req.url === '/watch') {
      readBody(req, LIMIT).then(
        () => res.end(),
        (err: unknown) => {
          lastReadError = err;
          readSettled?.();
        },
      );
      return;
    }
    res.end();
  });
  applyHttpLimits(server, undefined, (reason) => clientErrors.push(reason));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function rawExchange(payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer'));
    }, 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {
      // a reset after the answer is fine; what arrived is judged below
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(payload);
  });
}

test('the limits are the documented constants and reach createServer', () => {
  assert.ok(Object.isFrozen(HTTP_LIMITS));
  assert.equal(HTTP_LIMITS.maxHeaderSize, 16384);
  const o = httpServerOptions({ requestTimeoutMs: 1234 });
  assert.equal(o.maxHeaderSize, 16384);
  assert.equal(o.requestTimeout, 1234);
  assert.equal(o.headersTimeout, HTTP_LIMITS.headersTimeoutMs);
  assert.equal(o.keepAliveTimeout, HTTP_LIMITS.keepAliveTimeoutMs);
  assert.ok(HTTP_LIMITS.headersTimeoutMs < HTTP_LIMITS.requestTimeoutMs);
  assert.equal(server.headersTimeout, HTTP_LIMITS.headersTimeoutMs);
  assert.equal(server.requestTimeout, HTTP_LIMITS.requestTimeoutMs);
  assert.equal(server.keepAliveTimeout, HTTP_LIMITS.keepAliveTimeoutMs);
});

test('a body within the limit is read whole', async () => {
  const body = 'x'.repeat(LIMIT);
  const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { length: LIMIT, text: body });
  const empty = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST' });
  assert.deepEqual(await empty.json(), { length: 0, text: '' });
});

test('a declared Content-Length over the limit gives 413 without reading the body', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'y'.repeat(LIMIT + 1) });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('connection'), 'close');
  assert.equal(await res.text(), 'Payload Too Large');
});

test('a chunked body that grows past the limit gives 413', async () => {
  const chunk = 'z'.repeat(600);
  const hex = chunk.length.toString(16);
  const answer = await rawExchange(
    `POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${hex}\r\n${chunk}\r\n${hex}\r\n${chunk}\r\n`,
  );
  assert.match(answer, /^HTTP\/1\.1 413 /);
});

test('a client that leaves mid-body makes readBody reject with HTTP_BAD_REQUEST', async () => {
  lastReadError = null;
  const settled = new Promise<void>((resolve) => {
    readSettled = resolve;
  });
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('POST /watch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\nonly-a-little');
  await new Promise((r) => setTimeout(r, 50));
  socket.destroy();
  await Promise.race([settled, new Promise((_, rej) => setTimeout(() => rej(new Error('readBody never settled')), 5000))]);
  assert.ok(isSluiceError(lastReadError, 'HTTP_BAD_REQUEST'), String(lastReadError));
});

test('a request head over 16 KiB gets 431 and a garbled one gets 400, each reported once', async () => {
  clientErrors.length = 0;
  const big = await rawExchange(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1\.1 431 /);
  const bad = await rawExchange('NOT AN HTTP REQUEST\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400 /);
  // Resets from earlier tests' keep-alive sockets may be reported too; only count parse errors.
  const parseErrors = clientErrors.filter((r) => r.startsWith('HPE_'));
  assert.equal(parseErrors.length, 2);
  assert.match(parseErrors[0]!, /^HPE_HEADER_OVERFLOW/);
});

test('clientErrorStatus maps parser and timeout codes', () => {
  assert.deepEqual(clientErrorStatus('HPE_HEADER_OVERFLOW'), [431, 'Request Header Fields Too Large']);
  assert.deepEqual(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT'), [408, 'Request Timeout']);
  assert.deepEqual(clientErrorStatus('HPE_INVALID_METHOD'), [400, 'Bad Request']);
});
