// Random bytes as a request to a real node:http server set up as ours are
// (httpServerOptions + applyHttpLimits with a clientError listener) and serving files
// with serveStatic. The server must answer or close within the limit; a handler that
// throws, or a server that neither answers nor closes, is a crash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { applyHttpLimits, httpServerOptions } from '../../../src/io/request-limits.ts';
import { serveStatic } from '../../../src/io/static-files.ts';
import type { FuzzTarget } from './fuzz-target.ts';

const LIMITS = {
  maxHeaderSize: 4096,
  headersTimeoutMs: 1000,
  requestTimeoutMs: 1500,
  keepAliveTimeoutMs: 200,
  connectionsCheckingIntervalMs: 100,
};
const ANSWER_WITHIN_MS = 3000;

let server: http.Server | null = null;
let port = 0;
let root = '';
let handlerError: unknown = null;
// Handlers still running: an input is done only when the server has finished with it,
// so an error is charged to the input that caused it, not to the next one.
let inflight = 0;
let settled: (() => void) | null = null;

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  // The API answers a POST without reading its body (`raw?rpc=reload`); node discards it.
  if (req.method === 'POST') {
    res.end('0');
    return;
  }
  if (!(await serveStatic(req, res, root, { cacheControl: 'no-cache' }))) {
    res.statusCode = 404;
    res.end();
  }
}

function exchange(data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server neither answered nor closed within ${ANSWER_WITHIN_MS} ms`));
    }, ANSWER_WITHIN_MS);
    socket.on('error', () => {}); // a reset is a close
    socket.on('data', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end(data);
  });
}

export const target: FuzzTarget = {
  name: 'http-server',
  description: 'random bytes as a request to node:http with our limits, clientError handling and serveStatic',
  coverage: ['/src/net/http/', '/src/io/', 'node:_http_server', 'node:_http_incoming', 'node:_http_common', 'node:_http_outgoing'],
  maxLen: 4096 + 512,
  hangMs: ANSWER_WITHIN_MS + 1000,
  dictionary: ['GET ', 'HEAD ', 'POST ', 'OPTIONS ', 'PUT ', ' HTTP/1.1\r\n', ' HTTP/1.0\r\n', '\r\n', '\r\n\r\n', '\n',
    'Host: a\r\n', 'Range: bytes=0-10\r\n', 'Range: bytes=-5\r\n', 'Content-Length: 5\r\n', 'Content-Length: 99999\r\n',
    'Transfer-Encoding: chunked\r\n', 'Connection: close\r\n', 'Connection: keep-alive\r\n', 'Expect: 100-continue\r\n',
    '/index.html', '/a.flv', '/sub/', '/..', '%2e%2e', '%00', '0\r\n\r\n', '5\r\nhello\r\n', ': '],
  async setup() {
    root = mkdtempSync(path.join(os.tmpdir(), 'sluice-fuzz-http-'));
    writeFileSync(path.join(root, 'index.html'), '<p>hi</p>');
    writeFileSync(path.join(root, 'a.flv'), Buffer.alloc(1000, 7));
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(path.join(root, 'sub', 'index.html'), 'sub');
    writeFileSync(path.join(root, 'sub', 'live.m3u8'), '#EXTM3U\n');
    const s = http.createServer(httpServerOptions(LIMITS), (req, res) => {
      inflight++;
      handle(req, res)
        .catch((err: unknown) => {
          handlerError ??= err;
          res.destroy();
        })
        .finally(() => {
          if (--inflight === 0) settled?.();
        });
    });
    applyHttpLimits(s, LIMITS, () => {});
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    port = (s.address() as net.AddressInfo).port;
    server = s;
  },
  async teardown() {
    const s = server;
    server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    rmSync(root, { recursive: true, force: true });
  },
  async fuzz(data) {
    handlerError = null;
    await exchange(data);
    if (inflight > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`a handler was still running ${ANSWER_WITHIN_MS} ms after the client left`)), ANSWER_WITHIN_MS);
        settled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      settled = null;
    }
    if (handlerError !== null) throw handlerError instanceof Error ? handlerError : new Error(String(handlerError));
  },
};
