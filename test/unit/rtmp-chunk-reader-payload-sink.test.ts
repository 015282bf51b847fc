// The chunk reader's PayloadSink path: a message that arrives in pieces goes to the sink
// chunk by chunk instead of the reader's buffer, and one interrupted by another chunk
// stream is spilled back and finished by the reader. Whatever the interleaving, the split
// of the input into reads, and which messages the handler takes, the messages and their
// order are those of the plain reader, and exactly the spilled ones come back `resumed`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkReader, type ChunkHandler, type PayloadSink, type RtmpMessage } from '../../src/net/rtmp/chunk-reader.ts';

interface Got { csid: number; type: number; timestamp: number; payload: Uint8Array; resumed: boolean; viaSink: boolean }

/** A handler that takes messages into sinks when `accept` says so. */
function sinkingHandler(accept: (csid: number, length: number) => boolean): { handler: ChunkHandler; got: Got[]; spilledCsids: number[] } {
  const got: Got[] = [];
  const spilledCsids: number[] = [];
  let open: { csid: number; type: number; timestamp: number; bytes: number[] } | null = null;
  const sink: PayloadSink = {
    put(src, from, to) {
      open!.bytes.push(...src.subarray(from, to));
    },
    end() {
      got.push({ csid: open!.csid, type: open!.type, timestamp: open!.timestamp, payload: Uint8Array.from(open!.bytes), resumed: false, viaSink: true });
      open = null;
    },
    spill(out, filled) {
      assert.equal(filled, open!.bytes.length, 'spill is told how much was put');
      out.set(open!.bytes, 0);
      spilledCsids.push(open!.csid);
      open = null;
    },
  };
  const handler: ChunkHandler = {
    onMessage(csid, type, _streamId, timestamp, payload, from, to, resumed) {
      got.push({ csid, type, timestamp, payload: new Uint8Array(payload.subarray(from, to)), resumed, viaSink: false });
    },
    openMessage(csid, type, _streamId, timestamp, length, payload, from, to) {
      assert.equal(open, null, 'one sink open at a time');
      assert.ok(to > from && to - from <= length);
      if (!accept(csid, length)) return null;
      open = { csid, type, timestamp, bytes: [] };
      return sink;
    },
  };
  return { handler, got, spilledCsids };
}

interface Msg { csid: number; type: number; timestamp: number; payload: Uint8Array }

/** The chunks of one message at chunk size 128: a fmt 0 header, then type-3 continuations. */
function chunksOf(m: Msg): Uint8Array[] {
  const h = Buffer.alloc(12);
  h[0] = m.csid;
  h.writeUIntBE(m.timestamp, 1, 3);
  h.writeUIntBE(m.payload.length, 4, 3);
  h[7] = m.type;
  h.writeUInt32LE(1, 8);
  const out: Uint8Array[] = [];
  for (let p = 0; p === 0 || p < m.payload.length; p += 128) {
    const body = m.payload.subarray(p, p + 128);
    out.push(Buffer.concat([p === 0 ? h : Buffer.from([0xc0 | m.csid]), body]));
  }
  return out;
}

const message = fc.record({
  csid: fc.constantFrom(4, 6, 7),
  type: fc.constantFrom(8, 9, 18),
  timestamp: fc.nat(100_000),
  payload: fc.integer({ min: 0, max: 700 }).chain((n) => fc.integer({ min: 0, max: 255 }).map((seed) => Uint8Array.from({ length: n }, (_, i) => (seed + i * 31) & 0xff))),
});

test('any interleaving, any reads, any acceptance: the same messages in the same order, spilled ones resumed', () => {
  let spills = 0;
  let sunk = 0;
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 0, max: 1 << 20 }), { minLength: 60, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 40 }), fc.boolean(), (msgs, picks, cuts, acceptAll) => {
      // per chunk stream, its messages one after another; chunks of different streams interleave
      const queues = new Map<number, Uint8Array[]>();
      for (const m of msgs) queues.set(m.csid, [...(queues.get(m.csid) ?? []), ...chunksOf(m)]);
      const parts: Uint8Array[] = [];
      let k = 0;
      while ([...queues.values()].some((q) => q.length > 0)) {
        const live = [...queues.entries()].filter(([, q]) => q.length > 0);
        const [, q] = live[picks[k++ % picks.length]! % live.length]!;
        parts.push(q.shift()!);
      }
      const bytes = Buffer.concat(parts);
      const expected = new ChunkReader().push(bytes).map((m: RtmpMessage) => ({ csid: m.csid, type: m.type, timestamp: m.timestamp, payload: new Uint8Array(m.payload) }));
      let n = 0;
      const { handler, got, spilledCsids } = sinkingHandler((csid, length) => acceptAll || (csid + length + n++) % 3 !== 0);
      const reader = new ChunkReader();
      let at = 0;
      for (let i = 0; at < bytes.length; i++) {
        const end = Math.min(bytes.length, at + cuts[i % cuts.length]!);
        reader.pushTo(bytes.subarray(at, end), handler);
        at = end;
      }
      assert.deepEqual(got.map(({ csid, type, timestamp, payload }) => ({ csid, type, timestamp, payload })), expected);
      assert.equal(got.filter((g) => g.resumed).length, spilledCsids.length, 'each spilled message comes back resumed, once');
      assert.deepEqual(got.filter((g) => g.resumed).map((g) => g.csid).sort(), [...spilledCsids].sort());
      for (const g of got) if (g.resumed) assert.equal(g.viaSink, false);
      spills += spilledCsids.length;
      sunk += got.filter((g) => g.viaSink).length;
    }),
    { numRuns: 1500 },
  );
  assert.ok(spills > 100 && sunk > 100, `the runs took ${sunk} messages through sinks and spilled ${spills}`);
});

test('an encoder\'s frames at chunk size 4096, read in odd pieces, go to the sink whole, never through the reader\'s buffer', () => {
  const frame = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
  const setChunk = Buffer.from('02000000000004010000000000001000', 'hex');
  const chunks = [setChunk];
  for (let f = 0; f < 3; f++) {
    const h = Buffer.from('060000000027100901000000', 'hex');
    h.writeUIntBE(f * 33, 1, 3);
    chunks.push(Buffer.concat([h, frame.subarray(0, 4096)]), Buffer.concat([Buffer.from([0xc6]), frame.subarray(4096, 8192)]), Buffer.concat([Buffer.from([0xc6]), frame.subarray(8192)]));
  }
  const bytes = Buffer.concat(chunks);
  const { handler, got, spilledCsids } = sinkingHandler(() => true);
  const reader = new ChunkReader();
  for (let at = 0; at < bytes.length; at += 1500) reader.pushTo(bytes.subarray(at, at + 1500), handler);
  assert.equal(reader.chunkSize, 4096);
  const frames = got.filter((g) => g.type === 9);
  assert.equal(frames.length, 3);
  for (const [i, g] of frames.entries()) {
    assert.ok(g.viaSink, `frame ${i} through the sink`);
    assert.equal(g.timestamp, i * 33);
    assert.deepEqual(g.payload, frame);
  }
  assert.deepEqual(spilledCsids, []);
  assert.equal((reader as unknown as { streams: Map<number, { payload: Uint8Array | null }> }).streams.get(6)!.payload, null, 'no assembly buffer was ever made for csid 6');
});

test('a message whose type changes in the middle (fmt 1 continuation) is malformed', () => {
  const bytes = Buffer.concat([
    Buffer.from('04000000000100 09 01000000'.replace(/ /g, ''), 'hex'), Buffer.alloc(128, 1),
    Buffer.from('44000000000100 08'.replace(/ /g, ''), 'hex'), Buffer.alloc(128, 1),
  ]);
  assert.throws(() => new ChunkReader().push(bytes), /changed mid-message/);
});
