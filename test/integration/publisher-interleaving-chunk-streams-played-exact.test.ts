// The server stores a publisher's frames as their chunks arrive (no assembly copy), and
// must still get every message right when the publisher interleaves chunk streams: an
// audio frame, a data message and a command sent between the chunks of a video frame,
// a Set Chunk Size between two chunks of another. A player that came first receives
// every frame byte for byte, in the order the messages were completed, and the
// command sent between chunks is still answered.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';
import { encodeCommand } from '../../src/net/rtmp/commands.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

/** fmt 0 header (11-byte message header, timestamps below 2^24). */
function header(csid: number, type: number, ts: number, length: number, streamId: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid;
  h.writeUIntBE(ts, 1, 3);
  h.writeUIntBE(length, 4, 3);
  h[7] = type;
  h.writeUInt32LE(streamId, 8);
  return h;
}

/** A message's chunks at `chunkSize`: the first with its header, then type-3 ones. */
function chunks(csid: number, type: number, ts: number, payload: Buffer, chunkSize: number, streamId = 1): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p === 0 || p < payload.length; p += chunkSize) {
    const body = payload.subarray(p, p + chunkSize);
    out.push(Buffer.concat([p === 0 ? header(csid, type, ts, payload.length, streamId) : Buffer.from([0xc0 | csid]), body]));
  }
  return out;
}

function frame(first: number[], length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seed + i * 29) & 0xff;
  b.set(first, 0);
  return b;
}

test('interleaved chunk streams around frames stored as they arrive: every frame reaches the player exact', async () => {
  const player = await connectRecorded(server.rtmpUrl('live'));
  const pub = await connectRecorded(server.rtmpUrl('live'));
  try {
    await player.client.play('mixed');
    await pub.client.publish('mixed');
    const socket = pub.client.socket;
    const CS = 4096; // our client's out chunk size, set during connect
    const avcHeader = frame([0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff, 0xe1], 40, 1);
    const aacHeader = Buffer.from([0xaf, 0x00, 0x12, 0x10]);
    const sent: { type: number; ts: number; payload: Buffer }[] = [];
    const send = (...parts: Buffer[]) => socket.write(Buffer.concat(parts));
    send(...chunks(7, 8, 0, aacHeader, CS), ...chunks(6, 9, 0, avcHeader, CS));
    // a keyframe in three chunks with an audio frame, a data message and a command between them
    const key = frame([0x17, 0x01, 0, 0, 0], 10_000, 2);
    const audio1 = frame([0xaf, 0x01], 300, 3);
    const [k1, k2, k3] = chunks(6, 9, 40, key, CS);
    const data = Buffer.from(encodeCommand('onTextData', 0, null, { text: 'hi' }));
    const command = Buffer.from(encodeCommand('FCPublish', 9, null, 'mixed'));
    send(k1!, ...chunks(7, 8, 23, audio1, CS), k2!, ...chunks(5, 18, 30, data, CS, 1), ...chunks(3, 20, 0, command, CS, 0), k3!);
    sent.push({ type: 8, ts: 23, payload: audio1 }, { type: 9, ts: 40, payload: key });
    // P-frames sent whole (stored as they come), some split across writes
    for (let i = 1; i <= 6; i++) {
      const p = frame([0x27, 0x01, 0, 0, 0], 5000 + i * 700, 10 + i);
      const a = frame([0xaf, 0x01], 200 + i, 20 + i);
      const bytes = Buffer.concat([...chunks(6, 9, 40 + i * 40, p, CS), ...chunks(7, 8, 23 + i * 23, a, CS)]);
      socket.write(bytes.subarray(0, 3001));
      await new Promise((r) => setTimeout(r, 5));
      socket.write(bytes.subarray(3001));
      sent.push({ type: 9, ts: 40 + i * 40, payload: p }, { type: 8, ts: 23 + i * 23, payload: a });
    }
    // then a smaller chunk size, announced between two chunks of a video frame
    const p7 = frame([0x27, 0x01, 0, 0, 0], 9000, 40);
    const [q1] = chunks(6, 9, 400, p7, CS);
    const setChunk = Buffer.from('02000000000004010000000000000800', 'hex'); // 2048
    const tail = p7.subarray(CS);
    send(q1!, setChunk, ...chunks(6, 9, 400, tail, 2048).map((c, i) => (i === 0 ? Buffer.concat([Buffer.from([0xc6]), c.subarray(12)]) : c)));
    sent.push({ type: 9, ts: 400, payload: p7 });
    const frames = () => player.media().filter((m) => (m.messageType === 8 || m.messageType === 9) && m.payload[1] !== 0);
    await until(() => frames().length >= sent.length, 10_000, `${sent.length} frames at the player`).catch((e) => {
      throw new Error(`${e.message}: got ${frames().length}; publisher closed: ${pub.client.closedReason}\n${server.logs().slice(-1500)}`);
    });
    const got = frames();
    assert.equal(got.length, sent.length);
    for (const [i, s] of sent.entries()) {
      assert.equal(got[i]!.messageType, s.type, `frame ${i} type`);
      assert.equal(got[i]!.timestamp, s.ts, `frame ${i} timestamp`);
      const g = Buffer.from(got[i]!.payload);
      const diff = g.findIndex((b, k) => b !== s.payload[k]);
      assert.ok(g.equals(s.payload), `frame ${i} payload (${g.length} bytes, sent ${s.payload.length}; first difference at ${diff})`);
    }
    assert.equal(pub.client.closedReason, null, 'the publisher is still connected');
    const answered = () => pub.events.some((e) => e.type === 'command' && e.name === '_result' && e.transactionId === 9);
    await until(answered, 5000, 'the _result of the FCPublish sent between chunks');
  } finally {
    await pub.client.close();
    await player.client.close();
  }
});
