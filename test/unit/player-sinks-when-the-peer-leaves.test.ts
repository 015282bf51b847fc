// The two player sinks when the player shuts down its sending side (FIN) while bytes are
// still queued for it: Node ends the server's side of the socket at once, and that end
// waits behind the queue. A view the fan-out writes in that window used to fail with
// ERR_STREAM_WRITE_AFTER_END (an 'error' on the socket; for HTTP a 'clientError' that the
// server logged as a connection error). Real sockets on 127.0.0.1; the queue is made by a
// paused peer and a write larger than the kernel's buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import { RtmpPlayerSink, type PlayerSession } from '../../src/actors/stream/rtmp-player-sink.ts';
import { FlvViewerSink } from '../../src/actors/stream/flv-viewer-sink.ts';
import { FirstFrameHistogram } from '../../src/actors/stream/first-frame-clock.ts';

const BIG = Buffer.alloc(64 * 1024 * 1024, 0x5a);
const VIEW = Buffer.alloc(1000, 0x17);

const session: PlayerSession = { useChunkSize: () => {}, unpublished: () => {}, dropped: () => {} };

/** A TCP server, a peer connected to it, and the server's side of that connection. */
async function connectedPair(): Promise<{ server: net.Server; peer: net.Socket; socket: net.Socket }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [socket] = (await once(server, 'connection')) as [net.Socket];
  return { server, peer, socket };
}

function writeOnce(write: (done: (err?: Error | null) => void) => void): Promise<Error | null | undefined> {
  return new Promise((resolve) => write(resolve));
}

test('RTMP: a view written after the player left is not written; the socket is closed, no error', { timeout: 20_000 }, async () => {
  const { server, peer, socket } = await connectedPair();
  try {
    const errors: Error[] = [];
    socket.on('error', (e) => errors.push(e));
    peer.pause();
    socket.write(BIG);
    assert.ok(socket.writableLength > 0, 'bytes queued in user space');
    peer.end();
    await once(socket, 'end');
    await new Promise((r) => setImmediate(r));
    assert.equal(socket.writableEnded, true, 'Node ended the server side on the FIN');
    assert.equal(socket.destroyed, false, 'the end waits behind the queue');
    const sink = new RtmpPlayerSink('p1', socket, session, new FirstFrameHistogram());
    const err = await writeOnce((done) => sink.write([VIEW, VIEW], 2, done));
    assert.equal(err ?? null, null, 'the write is done, not failed');
    assert.equal(socket.destroyed, true, 'the socket of a player that left is closed');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.map((e) => (e as NodeJS.ErrnoException).code), [], 'no socket error');
  } finally {
    peer.destroy();
    socket.destroy();
    server.close();
  }
});

test('RTMP: a socket ended from our side (a goodbye) is left to flush, not cut', { timeout: 20_000 }, async () => {
  const { server, peer, socket } = await connectedPair();
  try {
    socket.end(Buffer.from('goodbye'));
    const sink = new RtmpPlayerSink('p2', socket, session, new FirstFrameHistogram());
    const err = await writeOnce((done) => sink.write([VIEW], 1, done));
    assert.equal(err ?? null, null);
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    await once(peer, 'end');
    assert.equal(Buffer.concat(got).toString(), 'goodbye', 'what was queued before the end arrives, and nothing after it');
  } finally {
    peer.destroy();
    socket.destroy();
    server.close();
  }
});

test('HTTP-FLV: a view written after the viewer left is not written; the response is closed, no clientError', { timeout: 20_000 }, async () => {
  const clientErrors: string[] = [];
  const ended: (string | null)[] = [];
  let sink!: FlvViewerSink;
  let onRequest!: (res: http.ServerResponse) => void;
  const requested = new Promise<http.ServerResponse>((r) => (onRequest = r));
  const server = http.createServer((_req, res) => {
    sink = new FlvViewerSink('v1', res, (reason) => ended.push(reason), new FirstFrameHistogram());
    sink.streamStarted();
    onRequest(res);
  });
  server.on('clientError', (e: NodeJS.ErrnoException) => clientErrors.push(e.code ?? e.message));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  try {
    peer.write('GET /live/x.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    peer.pause();
    const socket = (await requested).socket!;
    socket.write(BIG);
    peer.end();
    await once(socket, 'end');
    await new Promise((r) => setImmediate(r));
    assert.equal(socket.writableEnded, true, 'the HTTP server ended the socket on the FIN');
    assert.equal(socket.destroyed, false, 'the end waits behind the queue');
    const err = await writeOnce((done) => sink.write([VIEW, VIEW, VIEW], 3, done));
    assert.equal(err ?? null, null, 'the write is done, not failed');
    assert.equal(socket.destroyed, true, 'the connection of a viewer that left is closed');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(clientErrors, [], 'no clientError');
  } finally {
    peer.destroy();
    server.closeAllConnections();
    server.close();
  }
});
