import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { HTTP_LIMITS, applyHttpLimits, clientErrorStatus, httpServerOptions } from '../../src/io/request-limits.ts';

let server: http.Server;
let port = 0;
const clientErrors: string[] = [];

before(async () => {
  server = http.createServer(httpServerOptions(), (_req, res) => {
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
