// ClientSession against our own server-side codecs: a scripted server built from
// ServerHandshake, ChunkReader, ChunkWriter and the reply encoders of commands.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClientSession } from '../../src/net/rtmp/client-session.ts';
import type { ClientEvent } from '../../src/net/rtmp/client-events.ts';
import { ServerHandshake } from '../../src/net/rtmp/handshake.ts';
import { ChunkReader, type RtmpMessage } from '../../src/net/rtmp/chunk-reader.ts';
import { ChunkWriter } from '../../src/net/rtmp/chunk-writer.ts';
import * as pc from '../../src/net/rtmp/protocol-control.ts';
import * as cmd from '../../src/net/rtmp/commands.ts';
import { decodeCommand } from '../../src/net/rtmp/commands.ts';
import { SluiceError } from '../../src/errors.ts';

const seeded = (n: number): Uint8Array => new Uint8Array(n).fill(7);
const serverInfo = { version: '0.1.0', pid: 1, id: 'abc' };

/** A scripted server: collects what the client sends as messages. */
class FakeServer {
  readonly hs = new ServerHandshake({ random: seeded, now: () => 0 });
  readonly reader = new ChunkReader();
  readonly writer = new ChunkWriter();
  readonly got: RtmpMessage[] = [];

  /** Feeds client bytes; returns server bytes for the handshake. */
  take(bytes: Uint8Array): Uint8Array | null {
    let rest: Uint8Array | null = bytes;
    let send: Uint8Array | null = null;
    if (!this.hs.done) {
      const step = this.hs.push(bytes);
      send = step.send;
      rest = step.rest;
    }
    if (rest && rest.length) for (const m of this.reader.push(rest)) this.got.push({ ...m, payload: m.payload.slice() });
    return send;
  }

  commands(): { name: string; tid: number; args: unknown[]; streamId: number; command: unknown }[] {
    return this.got
      .filter((m) => m.type === pc.MessageType.CommandAmf0)
      .map((m) => {
        const c = decodeCommand(m.payload, false);
        return { name: c.name, tid: c.transactionId, args: c.args, streamId: m.streamId, command: c.command };
      });
  }

  cmd(payload: Uint8Array, streamId = 0): Uint8Array {
    return this.writer.encode({ csid: 3, type: pc.MessageType.CommandAmf0, streamId, timestamp: 0, payload });
  }
}

function pushAll(client: ClientSession, server: FakeServer, bytes: Uint8Array, oneByOne = false): ClientEvent[] {
  const events: ClientEvent[] = [];
  const parts = oneByOne ? Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) : [bytes];
  for (const p of parts) {
    const step = client.push(p);
    events.push(...step.events);
    if (step.send.length) server.take(step.send);
  }
  return events;
}

/** Handshake + connect + the B.1 replies; returns the pair and the events. */
function connected(oneByOne = false): { client: ClientSession; server: FakeServer; events: ClientEvent[] } {
  const client = new ClientSession({ random: seeded, now: () => 0 });
  const server = new FakeServer();
  const s0s1s2 = server.take(client.start())!;
  assert.equal(client.connect('rtmp://h/live', 'live').length, 0, 'connect waits for the handshake');
  const events = pushAll(client, server, s0s1s2, oneByOne);
  assert.ok(server.hs.done);
  const replies = [
    pc.windowAckSize(2_500_000),
    pc.setPeerBandwidth(2_500_000, 2),
    pc.setChunkSize(60000),
  ];
  server.writer.setChunkSize(60000);
  replies.push(server.cmd(cmd.connectResult(1, { serverInfo })), server.cmd(cmd.onBWDone()));
  events.push(...pushAll(client, server, Buffer.concat(replies), oneByOne));
  return { client, server, events };
}

test('handshake then connect: Set Chunk Size 4096 and connect (tid 1) with tcUrl and app reach the server', () => {
  const { server, client, events } = connected();
  assert.equal(server.reader.chunkSize, 4096);
  const c = server.commands()[0]!;
  assert.equal(c.name, 'connect');
  assert.equal(c.tid, 1);
  const props = c.command as Record<string, unknown>;
  assert.equal(props['tcUrl'], 'rtmp://h/live');
  assert.equal(props['app'], 'live');
  assert.equal(client.state, 'connected');
  assert.deepEqual(events.map((e) => e.type), ['handshake', 'control', 'control', 'control', 'command', 'connected', 'command']);
  const ctrl = events.filter((e) => e.type === 'control') as Extract<ClientEvent, { type: 'control' }>[];
  assert.deepEqual(ctrl.map((e) => [e.messageType, e.value]), [[5, 2_500_000], [6, 2_500_000], [1, 60000]]);
  // Once connected we announce our window, as ffmpeg does.
  assert.ok(server.got.some((m) => m.type === pc.MessageType.WindowAckSize));
});

test('the same exchange fed one byte at a time gives the same events', () => {
  const a = connected().events.map((e) => e.type);
  const b = connected(true).events.map((e) => e.type);
  assert.deepEqual(b, a);
});

test('a _result with an untracked transaction id is ignored, as ffmpeg does', () => {
  const client = new ClientSession({ random: seeded });
  const server = new FakeServer();
  const s = server.take(client.start())!;
  client.push(s);
  const bytes = client.connect('rtmp://h/live', 'live');
  server.take(bytes);
  const ev = pushAll(client, server, server.cmd(cmd.connectResult(7, { serverInfo })));
  assert.ok(!ev.some((e) => e.type === 'connected'));
  assert.equal(client.state, 'connecting');
  const ev2 = pushAll(client, server, server.cmd(cmd.connectResult(1, { serverInfo })));
  assert.ok(ev2.some((e) => e.type === 'connected'));
});

test('publish: releaseStream 2, FCPublish 3, createStream 4, then publish (5) on the returned stream id', () => {
  const { client, server } = connected();
  server.take(client.publish('cam'));
  assert.deepEqual(server.commands().slice(1).map((c) => [c.name, c.tid, c.args[0]]), [
    ['releaseStream', 2, 'cam'],
    ['FCPublish', 3, 'cam'],
    ['createStream', 4, undefined],
  ]);
  const ev = pushAll(client, server, Buffer.concat([
    server.cmd(cmd.simpleResult(2)),
    server.cmd(cmd.simpleResult(3)),
    server.cmd(cmd.createStreamResult(4, 1)),
  ]));
  assert.ok(ev.some((e) => e.type === 'streamCreated' && e.streamId === 1));
  const pub = server.commands().at(-1)!;
  assert.deepEqual([pub.name, pub.tid, pub.streamId, pub.args], ['publish', 5, 1, ['cam', 'live']]);
  assert.throws(() => client.sendMedia(9, 0, new Uint8Array(3)), SluiceError, 'no media before Publish.Start');
  const ev2 = pushAll(client, server, Buffer.concat([
    server.cmd(cmd.onFCPublish('NetStream.Publish.Start', 'Started publishing stream.'), 1),
    server.cmd(cmd.onStatus({ ...cmd.Status.PublishStart }), 1),
  ]));
  const st = ev2.filter((e) => e.type === 'status') as Extract<ClientEvent, { type: 'status' }>[];
  assert.deepEqual(st.map((s) => [s.name, s.code, s.level]), [
    ['onFCPublish', 'NetStream.Publish.Start', ''],
    ['onStatus', 'NetStream.Publish.Start', 'status'],
  ]);
  assert.equal(client.state, 'publishing');
  server.take(client.sendMedia(9, 40, new Uint8Array(10000).fill(1)));
  const media = server.got.at(-1)!;
  assert.deepEqual([media.type, media.timestamp, media.streamId, media.payload.length], [9, 40, 1, 10000]);
  server.take(client.close());
  assert.deepEqual(server.commands().slice(-2).map((c) => c.name), ['FCUnpublish', 'deleteStream']);
});

test('play: createStream, then play(name, -2000) on the stream; media and data arrive as events', () => {
  const { client, server } = connected();
  server.take(client.play('cam'));
  pushAll(client, server, server.cmd(cmd.createStreamResult(2, 1)));
  const play = server.commands().at(-1)!;
  assert.deepEqual([play.name, play.streamId, play.args], ['play', 1, ['cam', -2000]]);
  const out = server.writer;
  const ev = pushAll(client, server, Buffer.concat([
    pc.streamBegin(1),
    server.cmd(cmd.onStatus({ ...cmd.Status.PlayReset }), 1),
    server.cmd(cmd.onStatus({ ...cmd.Status.PlayStart }), 1),
    out.encode({ csid: 5, type: 18, streamId: 1, timestamp: 0, payload: cmd.sampleAccess() }),
    out.encode({ csid: 6, type: 9, streamId: 1, timestamp: 0x1000000, payload: new Uint8Array(70000).fill(3) }),
    out.encode({ csid: 5, type: 18, streamId: 1, timestamp: 0, payload: new Uint8Array([0, 0, 0, 0]) }),
  ]));
  assert.equal(client.state, 'playing');
  const ctl = ev.find((e) => e.type === 'control')!;
  assert.deepEqual(ctl, { type: 'control', messageType: 4, event: 0, value: 1 });
  const media = ev.find((e) => e.type === 'media') as Extract<ClientEvent, { type: 'media' }>;
  assert.equal(media.timestamp, 0x1000000);
  assert.equal(media.payload.length, 70000);
  const data = ev.filter((e) => e.type === 'data') as Extract<ClientEvent, { type: 'data' }>[];
  assert.deepEqual(data.map((d) => d.name), ['|RtmpSampleAccess', ''], 'the timecode message is passed on unnamed');
});

test('a Ping Request is answered with a Ping Response carrying the same timestamp', () => {
  const { client, server } = connected();
  const before = server.got.length;
  pushAll(client, server, pc.userControl(pc.UserControlEvent.PingRequest, 123456));
  const m = server.got.slice(before);
  assert.equal(m.length, 1);
  assert.deepEqual(pc.decodeUserControl(m[0]!.payload), { event: 7, timestamp: 123456 });
});

test('acknowledgements follow the server window, carrying the byte count', () => {
  const { client, server } = connected();
  pushAll(client, server, pc.windowAckSize(5000));
  const before = server.got.length;
  const w = server.writer;
  for (let i = 0; i < 6; i++) pushAll(client, server, w.encode({ csid: 6, type: 9, streamId: 1, timestamp: i, payload: new Uint8Array(1000) }));
  const acks = server.got.slice(before).filter((m) => m.type === pc.MessageType.Acknowledgement);
  assert.equal(acks.length, 1);
  // The count at the push that crossed the window: at least one window, at most all bytes.
  const seq = pc.decodeAcknowledgement(acks[0]!.payload);
  assert.ok(seq >= 5000 && seq <= client.bytesReceived, String(seq));
  assert.equal(client.acksSent, 1);
});

test('a connect _error ends the session with an error status', () => {
  const client = new ClientSession({ random: seeded });
  const server = new FakeServer();
  client.push(server.take(client.start())!);
  server.take(client.connect('rtmp://h/live', 'live'));
  const ev = pushAll(client, server, server.cmd(cmd.errorResult(1, { ...cmd.Status.ConnectRejected })));
  const st = ev.find((e) => e.type === 'status') as Extract<ClientEvent, { type: 'status' }>;
  assert.deepEqual([st.name, st.code, st.level], ['_error', 'NetConnection.Connect.Rejected', 'error']);
  assert.equal(client.state, 'closed');
});

test('calls out of order are refused with SluiceError', () => {
  const client = new ClientSession();
  assert.throws(() => client.publish('x'), SluiceError);
  assert.throws(() => client.play('x'), SluiceError);
  assert.throws(() => client.push(new Uint8Array([3])), SluiceError);
});

test('random bytes after connect either decode or throw SluiceError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
      const { client } = connected();
      try {
        client.push(bytes);
      } catch (err) {
        assert.ok(err instanceof SluiceError, String(err));
      }
    }),
    { numRuns: 300 },
  );
});
