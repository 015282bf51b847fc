// RtmpSession without a socket or a runtime: a Socket-like double carries the bytes, a
// recording context stands in for the actor runtime, WorkerServices for the worker. The
// replies to connect, createStream, publish and play are checked byte for byte (the
// sequences of SRS and FMS that encoders and players expect), a publish's media reaches
// a real StreamSource, and a hostile message closes only its own session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtmpSession } from '../../src/actors/rtmp/rtmp-session.ts';
import { StreamSource, type SourceSpawnArgs } from '../../src/actors/stream/stream-source.ts';
import { PayloadScratch } from '../../src/actors/stream/media-chain.ts';
import { FLAG_JOIN_ONLY, MSG_AUDIO, MSG_DATA_AMF0, MSG_VIDEO } from '../../src/actors/stream/media-flags.ts';
import { SERVER_VERSION } from '../../src/actors/worker/server-identity.ts';
import type { WorkerServices } from '../../src/actors/worker/worker-services.ts';
import { ChunkReader, type RtmpMessage } from '../../src/net/rtmp/chunk-reader.ts';
import { ChunkWriter } from '../../src/net/rtmp/chunk-writer.ts';
import { encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { ecmaArray } from '../../src/net/amf/amf-types.ts';
import { ChainReader, type ActorRef } from '../../src/runtime/index.ts';
import { fakeContext, includesRef, testServices, FakeSocket, type FakeContext } from '../helpers/actor-doubles.ts';

const HUB: ActorRef = { worker: 1, id: 2 };
const FANOUT: ActorRef = { worker: 1, id: 3 };
const SOURCE: ActorRef = { worker: 1, id: 30 };
const CMD = 20;

/** One session, its doubles, and a client side that speaks RTMP to it. */
class Harness {
  readonly socket = new FakeSocket();
  readonly fake: FakeContext;
  readonly session: RtmpSession;
  readonly services: WorkerServices;
  readonly asks: { to: ActorRef; msg: any }[] = [];
  source: StreamSource | null = null;
  private readonly writer = new ChunkWriter();
  private readonly reader = new ChunkReader();

  constructor(services: WorkerServices, self: ActorRef) {
    this.services = services;
    this.fake = fakeContext({
      self,
      ask: (to, msg) => this.answer(to, msg),
      spawn: (kind, args: SourceSpawnArgs) => {
        assert.equal(kind, 'media/source');
        const { services: given, ...sourceArgs } = args;
        assert.equal(given, services, 'the source gets the worker services of its session');
        this.source = new StreamSource(sourceArgs, given);
        return SOURCE;
      },
    });
    this.session = new RtmpSession({ socket: this.socket.asSocket(), services }, this.fake.ctx);
  }

  private async answer(to: ActorRef, msg: any): Promise<unknown> {
    this.asks.push({ to, msg });
    if (msg.type === 'source/start') {
      const sourceCtx = fakeContext({ self: SOURCE, ask: () => ({ ok: true, subscribers: 0 }) });
      return this.source!.receive(msg, sourceCtx.ctx);
    }
    if (msg.type === 'hub/attach') return FANOUT;
    throw new Error(`unexpected ask ${msg.type}`);
  }

  /** Bytes from the client, delivered as the runtime would: through the mailbox, in order. */
  async send(bytes: Uint8Array): Promise<void> {
    this.socket.emit('data', Buffer.from(bytes));
    while (this.fake.mailbox.length > 0) await this.session.receive(this.fake.mailbox.shift());
  }

  /** The simple handshake (C1 with a zero version), leaving the server's answer consumed. */
  async handshake(): Promise<void> {
    const c0c1 = new Uint8Array(1537);
    c0c1[0] = 3;
    await this.send(c0c1);
    const answer = this.socket.take();
    assert.equal(answer.length, 1 + 1536 + 1536, 'S0, S1, S2');
    assert.equal(answer[0], 3);
    assert.deepEqual(answer.subarray(1537), Buffer.from(c0c1.subarray(1)), 'S2 echoes C1');
    await this.send(answer.subarray(1, 1537)); // C2 echoes S1
  }

  async command(csid: number, streamId: number, ...values: unknown[]): Promise<void> {
    await this.send(this.writer.encode({ csid, type: CMD, streamId, timestamp: 0, payload: encodeAmf0(...values) }));
  }

  async media(type: number, timestamp: number, payload: Uint8Array, csid = type === MSG_AUDIO ? 4 : 6): Promise<void> {
    await this.send(this.writer.encode({ csid, type, streamId: 1, timestamp, payload }));
  }

  /** What the server wrote since the last call, de-chunked (its Set Chunk Size applied). */
  replies(): RtmpMessage[] {
    return this.reader.push(this.socket.take()).map((m) => ({ ...m, payload: m.payload.slice() }));
  }

  async connected(): Promise<void> {
    await this.handshake();
    await this.command(3, 0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'FMLE/3.0', objectEncoding: 0 });
    this.replies();
  }
}

function newHarness(services = testServices({}, HUB), id = 10): Harness {
  return new Harness(services, { worker: 1, id });
}

/** A reply as csid, type, stream id and payload (hex), for comparison with a table. */
function view(m: { csid: number; type: number; streamId: number; payload: Uint8Array }): [number, number, number, string] {
  return [m.csid, m.type, m.streamId, Buffer.from(m.payload).toString('hex')];
}

const hex = (...values: unknown[]) => Buffer.from(encodeAmf0(...values)).toString('hex');
const status = (level: string, code: string, description: string, more: Record<string, unknown> = {}) => ({ level, code, description, ...more });

test('connect: window ack size, dynamic peer bandwidth, chunk size 60000, the _result FMS clients expect, onBWDone', async () => {
  const h = newHarness();
  await h.handshake();
  await h.command(3, 0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'FMLE/3.0', objectEncoding: 0 });
  const raw = Buffer.from(h.socket.writes.flatMap((b) => [...b]));
  // The protocol control messages, whole chunks on chunk stream 2.
  assert.equal(raw.subarray(0, 16 + 17 + 16).toString('hex'), [
    '02000000000004050000000000' + '2625a0', // Window Acknowledgement Size 2,500,000
    '02000000000005060000000000' + '2625a0' + '02', // Set Peer Bandwidth 2,500,000, dynamic
    '02000000000004010000000000' + '00ea60', // Set Chunk Size 60,000
  ].join(''));
  const data = ecmaArray({
    version: '3,5,3,888', srs_sig: 'Sluice', srs_server: `Sluice/${SERVER_VERSION}`, srs_license: 'MIT', srs_version: SERVER_VERSION,
    srs_primary: 'the Sluice authors', srs_authors: 'the Sluice authors', srs_server_ip: '127.0.0.1', srs_pid: process.pid, srs_id: h.session.id,
    sluice_sig: 'Sluice', sluice_server: `Sluice/${SERVER_VERSION}`, sluice_license: 'MIT', sluice_version: SERVER_VERSION,
    sluice_server_ip: '127.0.0.1', sluice_pid: process.pid, sluice_id: h.session.id,
  });
  assert.deepEqual(h.replies().map(view), [
    [2, 5, 0, '002625a0'],
    [2, 6, 0, '002625a002'],
    [2, 1, 0, '0000ea60'],
    [3, CMD, 0, hex('_result', 1, { fmsVer: 'FMS/3,5,3,888', capabilities: 127, mode: 1 },
      { ...status('status', 'NetConnection.Connect.Success', 'Connection succeeded'), objectEncoding: 0, data })],
    [3, CMD, 0, hex('onBWDone', 0, null)],
  ]);
  assert.equal(h.services.clients.list()[0]!.type, 'rtmp-connect');
});

test('connect to a disabled vhost: _error NetConnection.Connect.Rejected, then the session ends', async () => {
  const h = newHarness(testServices({ vhosts: { __defaultVhost__: {}, 'off.example': { enabled: false } } }, HUB));
  await h.handshake();
  await h.command(3, 0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live?vhost=off.example' });
  assert.deepEqual(h.replies().map(view), [
    [3, CMD, 0, hex('_error', 1, null, status('error', 'NetConnection.Connect.Rejected', 'Connection rejected'))],
  ]);
  assert.ok(includesRef(h.fake.stopped, h.fake.ctx.self));
});

test('createStream answers stream id 1; getStreamLength 0; _checkbw null; any other call with a transaction null', async () => {
  const h = newHarness();
  await h.connected();
  await h.command(3, 0, 'createStream', 2, null);
  await h.command(3, 0, 'getStreamLength', 3, null, 's');
  await h.command(3, 0, '_checkbw', 4, null);
  await h.command(3, 0, 'receiveAudio', 5, null, true);
  assert.deepEqual(h.replies().map(view), [
    [3, CMD, 0, hex('_result', 2, null, 1)],
    [3, CMD, 0, hex('_result', 3, null, 0)],
    [3, CMD, 0, hex('_result', 4, null, null)],
    [3, CMD, 0, hex('_result', 5, null, null)],
  ]);
});

test('FMLE publish: releaseStream, FCPublish, createStream, publish get their replies; the media reaches the StreamSource', async () => {
  const h = newHarness();
  await h.connected();
  await h.command(3, 0, 'releaseStream', 2, null, 's');
  await h.command(3, 0, 'FCPublish', 3, null, 's');
  await h.command(3, 0, 'createStream', 4, null);
  await h.command(5, 1, 'publish', 5, null, 's', 'live');
  const id = h.session.id;
  assert.deepEqual(h.replies().map(view), [
    [3, CMD, 0, hex('_result', 2, null, undefined)],
    [3, CMD, 0, hex('_result', 3, null, undefined)],
    [3, CMD, 0, hex('_result', 4, null, 1)],
    [5, CMD, 1, hex('onFCPublish', 0, null, { code: 'NetStream.Publish.Start', description: 'Started publishing stream.' })],
    [5, CMD, 1, hex('onStatus', 0, null, status('status', 'NetStream.Publish.Start', 'Started publishing stream.', { clientid: id }))],
  ]);
  const source = h.source!;
  assert.ok(source, 'a StreamSource was spawned');
  assert.equal(h.services.sources.objectOf(SOURCE), source);
  assert.equal(source.streamEntry!.key, '__defaultVhost__/live/s');
  assert.equal(source.streamEntry!.publisherId, id);
  assert.equal(h.services.clients.list()[0]!.type, 'fmle-publish');

  const reader = new ChainReader(source.streamEntry!.media.chain, { startAt: 'next' });
  const sent: [number, number, Uint8Array][] = [
    [MSG_VIDEO, 0, Uint8Array.of(0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f)],
    [MSG_AUDIO, 0, Uint8Array.of(0xaf, 0x00, 0x12, 0x10)],
    [MSG_VIDEO, 0, Uint8Array.of(0x17, 0x01, 0, 0, 0, 1, 2, 3)],
    [MSG_AUDIO, 21, Uint8Array.of(0xaf, 0x01, 4, 5, 6)],
    [MSG_VIDEO, 40, Uint8Array.of(0x27, 0x01, 0, 0, 0, 7, 8)],
  ];
  for (const [type, ts, payload] of sent) await h.media(type, ts, payload);
  await h.send(new ChunkWriter().encode({ csid: 4, type: MSG_DATA_AMF0, streamId: 1, timestamp: 0,
    payload: encodeAmf0('@setDataFrame', 'onMetaData', { width: 320, height: 240 }) }));
  const scratch = new PayloadScratch();
  const got: [number, number, Uint8Array][] = [];
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (rec.flags & FLAG_JOIN_ONLY || rec.type === MSG_DATA_AMF0) continue;
    got.push([rec.type, rec.timestamp, scratch.read(reader, rec, source.streamEntry!.media.chunkSize)!.slice()]);
  }
  reader.close();
  assert.deepEqual(got, sent);
  assert.equal(h.services.mediaCounters.messages, sent.length + 1, 'the metadata counts as received too');
  const stats = (await source.receive({ type: 'source/stats' }, fakeContext({ self: SOURCE }).ctx)) as { audioFrames: number };
  assert.equal(stats.audioFrames, 2);
});

test('play: Stream Begin, Play.Reset, Play.Start, |RtmpSampleAccess, then the player is attached through the hub', async () => {
  const h = newHarness();
  await h.connected();
  await h.command(3, 0, 'createStream', 2, null);
  await h.command(8, 1, 'play', 3, null, 's');
  const id = h.session.id;
  assert.deepEqual(h.replies().map(view), [
    [3, CMD, 0, hex('_result', 2, null, 1)],
    [2, 4, 0, '000000000001'], // User Control: Stream Begin 1
    [5, CMD, 1, hex('onStatus', 0, null, status('status', 'NetStream.Play.Reset', 'Playing and resetting stream.', { details: 's', clientid: id }))],
    [5, CMD, 1, hex('onStatus', 0, null, status('status', 'NetStream.Play.Start', 'Started playing stream.', { details: 's', clientid: id }))],
    [5, MSG_DATA_AMF0, 1, hex('|RtmpSampleAccess', true, true)],
  ]);
  const attach = h.asks.find((a) => a.msg.type === 'hub/attach')!;
  assert.deepEqual(attach.to, HUB, 'the worker services name the hub');
  assert.equal(attach.msg.key, '__defaultVhost__/live/s');
  assert.equal(attach.msg.sink.id, id);
  assert.equal(attach.msg.sink.format, 'rtmp');
  assert.equal(h.services.clients.list()[0]!.type, 'rtmp-play');
  // Leaving: deleteStream detaches the player from its fan-out.
  await h.command(3, 0, 'deleteStream', 4, null, 1);
  assert.deepEqual(h.fake.told.at(-1), { to: FANOUT, msg: { type: 'fanout/detach', id } });
});

test('a hostile message closes its own session only: the other session on the worker goes on', async () => {
  const services = testServices({}, HUB);
  const good = newHarness(services, 11);
  const bad = newHarness(services, 12);
  await good.connected();
  await bad.connected();
  assert.equal(services.clients.size, 2);
  // A command whose AMF is garbage: a string marker with a length running past the end.
  await bad.send(new ChunkWriter().encode({ csid: 3, type: CMD, streamId: 0, timestamp: 0, payload: Uint8Array.of(0x02, 0xff, 0xff, 0x41) }));
  assert.ok(includesRef(bad.fake.stopped, bad.fake.ctx.self), 'the bad session stops');
  const warn = bad.fake.logs.find((l) => l.msg === 'rtmp connection closed');
  assert.equal(warn?.level, 'warn');
  assert.equal(bad.replies().length, 0, 'nothing is answered to it');
  bad.session.stopped(); // what the runtime calls once it has stopped
  assert.equal(bad.socket.destroyed, true);
  assert.equal(services.clients.size, 1, 'the registry forgets the closed session only');

  await good.command(3, 0, 'createStream', 2, null);
  assert.deepEqual(good.replies().map(view), [[3, CMD, 0, hex('_result', 2, null, 1)]]);
  assert.equal(good.fake.stopped.length, 0);
  assert.equal(good.socket.destroyed, false);
  assert.equal(good.asks.length + bad.asks.length, 0, 'neither asked anything of the runtime');
});
