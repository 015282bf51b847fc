import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkWriter, chunkedLength, encodeChunked, writeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import type { OutgoingMessage } from '../../src/net/rtmp/chunk-writer.ts';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import type { RtmpMessage } from '../../src/net/rtmp/chunk-reader.ts';
import { setChunkSize } from '../../src/net/rtmp/protocol-control.ts';
import { isSluiceError } from '../../src/errors.ts';
import { concatBytes, fromHex } from '../helpers/bytes.ts';

const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

const table: { name: string; chunkSize: number; value: OutgoingMessage; bytes: Uint8Array }[] = [
  {
    name: 'one chunk, one-byte csid',
    chunkSize: 128,
    value: { csid: 3, type: 20, streamId: 1, timestamp: 1000, payload: fromHex('0102030405') },
    bytes: fromHex('03 0003e8 000005 14 01000000 0102030405'),
  },
  {
    name: 'fmt 3 continuations every chunkSize bytes',
    chunkSize: 128,
    value: { csid: 6, type: 9, streamId: 0x04030201, timestamp: 40, payload: fill(300, 0x11) },
    bytes: concatBytes(fromHex('06 000028 00012c 09 01020304'), fill(128, 0x11), fromHex('c6'), fill(128, 0x11), fromHex('c6'), fill(44, 0x11)),
  },
  {
    name: 'payload an exact multiple of the chunk size has no empty trailing chunk',
    chunkSize: 4,
    value: { csid: 4, type: 8, streamId: 1, timestamp: 0, payload: fromHex('0102030405060708') },
    bytes: fromHex('04 000000 000008 08 01000000 01020304 c4 05060708'),
  },
  {
    name: 'extended timestamp in the fmt 0 header and repeated on every continuation',
    chunkSize: 128,
    value: { csid: 4, type: 9, streamId: 1, timestamp: 0x01000000, payload: fill(300, 0x55) },
    bytes: concatBytes(
      fromHex('04 ffffff 00012c 09 01000000 01000000'), fill(128, 0x55),
      fromHex('c4 01000000'), fill(128, 0x55),
      fromHex('c4 01000000'), fill(44, 0x55),
    ),
  },
  {
    name: 'timestamp 0xFFFFFF is already extended; 0xFFFFFE is not',
    chunkSize: 128,
    value: { csid: 4, type: 8, streamId: 1, timestamp: 0xffffff, payload: fromHex('aa') },
    bytes: fromHex('04 ffffff 000001 08 01000000 00ffffff aa'),
  },
  {
    name: 'timestamp just below the extended range',
    chunkSize: 128,
    value: { csid: 4, type: 8, streamId: 1, timestamp: 0xfffffe, payload: fromHex('aa') },
    bytes: fromHex('04 fffffe 000001 08 01000000 aa'),
  },
  {
    name: 'timestamps are taken modulo 2^32',
    chunkSize: 128,
    value: { csid: 4, type: 8, streamId: 1, timestamp: 2 ** 32 + 5, payload: fromHex('aa') },
    bytes: fromHex('04 000005 000001 08 01000000 aa'),
  },
  {
    name: 'two-byte csid, continuation repeats it',
    chunkSize: 2,
    value: { csid: 319, type: 8, streamId: 0, timestamp: 1, payload: fromHex('aabbcc') },
    bytes: fromHex('00 ff 000001 000003 08 00000000 aabb c0 ff cc'),
  },
  {
    name: 'three-byte csid (low byte first), continuation repeats it',
    chunkSize: 2,
    value: { csid: 65599, type: 8, streamId: 0, timestamp: 1, payload: fromHex('aabbcc') },
    bytes: fromHex('01 ff ff 000001 000003 08 00000000 aabb c1 ff ff cc'),
  },
  {
    name: 'csid 320 is the first three-byte one',
    chunkSize: 128,
    value: { csid: 320, type: 8, streamId: 0, timestamp: 0, payload: new Uint8Array(0) },
    bytes: fromHex('01 00 01 000000 000000 08 00000000'),
  },
];

for (const c of table) {
  test(`writes: ${c.name}`, () => {
    assert.deepEqual(encodeChunked(c.value, c.chunkSize), c.bytes);
    assert.equal(chunkedLength(c.value.payload.length, c.value.timestamp, c.value.csid, c.chunkSize), c.bytes.length);
    // The same bytes decode back (the reader starts at chunk size 128; use it or announce it).
    const r = new ChunkReader();
    const pre = c.chunkSize === 128 ? new Uint8Array(0) : setChunkSize(Math.max(128, c.chunkSize));
    if (c.chunkSize >= 128) {
      const got = r.push(concatBytes(pre, c.bytes)).slice(pre.length ? 1 : 0);
      assert.deepEqual(
        got.map((m) => ({ ...m, payload: new Uint8Array(m.payload) })),
        [{ ...c.value, timestamp: c.value.timestamp >>> 0 }],
      );
    }
  });
}

test('writeChunked writes in place at an offset and touches nothing else', () => {
  const c = table[3]!;
  const target = fill(c.bytes.length + 20, 0xee);
  const n = writeChunked(target, 7, c.value, c.chunkSize);
  assert.equal(n, c.bytes.length);
  assert.deepEqual(target.subarray(7, 7 + n), c.bytes);
  assert.deepEqual(target.subarray(0, 7), fill(7, 0xee));
  assert.deepEqual(target.subarray(7 + n), fill(13, 0xee));
  assert.throws(() => writeChunked(target, 21, c.value, c.chunkSize), (e) => isSluiceError(e, 'RTMP_CHUNK'));
});

test('ChunkWriter keeps the outgoing chunk size', () => {
  const w = new ChunkWriter();
  assert.equal(w.chunkSize, 128);
  const m = table[1]!.value;
  assert.deepEqual(w.encode(m), encodeChunked(m, 128));
  w.setChunkSize(60000);
  assert.equal(w.chunkSize, 60000);
  assert.deepEqual(w.encode(m), encodeChunked(m, 60000));
  assert.equal(w.encodedLength(m), 12 + 300);
  const t = new Uint8Array(400);
  assert.equal(w.write(t, 3, m), 312);
  assert.throws(() => w.setChunkSize(0), (e) => isSluiceError(e, 'RTMP_CHUNK_SIZE'));
});

test('writer refuses bad csids, oversized payloads and bad chunk sizes', () => {
  const m = (csid: number): OutgoingMessage => ({ csid, type: 8, streamId: 0, timestamp: 0, payload: fromHex('aa') });
  for (const csid of [0, 1, 65600, 1.5]) assert.throws(() => encodeChunked(m(csid), 128), (e) => isSluiceError(e, 'RTMP_CHUNK'));
  assert.throws(() => chunkedLength(0x1000000, 0, 3, 128), (e) => isSluiceError(e, 'RTMP_MESSAGE_SIZE'));
  assert.throws(() => encodeChunked(m(3), 0), (e) => isSluiceError(e, 'RTMP_CHUNK_SIZE'));
});

const csidArb = fc.oneof(fc.integer({ min: 2, max: 63 }), fc.integer({ min: 64, max: 319 }), fc.integer({ min: 320, max: 65599 }));
const tsArb = fc.oneof(
  fc.integer({ min: 0, max: 0xfffffe }),
  fc.integer({ min: 0xffffff, max: 0xffffffff }),
  fc.constantFrom(0xffffff, 0xffffffff, 0x7fffffff, 0x80000000),
);
const msgArb = fc.record({
  csid: csidArb,
  // Types 1 and 2 would change the reader's state; they have their own tests.
  type: fc.integer({ min: 3, max: 255 }),
  streamId: fc.nat({ max: 0xffffffff }),
  timestamp: tsArb,
  payload: fc.uint8Array({ maxLength: 1500 }),
});

test('writer -> reader round trip with random chunk sizes, timestamps, csids, payloads and splits', () => {
  fc.assert(
    fc.property(
      fc.array(msgArb, { minLength: 1, maxLength: 12 }),
      fc.oneof(fc.constant(128), fc.integer({ min: 128, max: 2048 }), fc.integer({ min: 65536, max: 0xffffff })),
      fc.array(fc.nat(), { maxLength: 6 }),
      (msgs, chunkSize, cuts) => {
        const wire = concatBytes(setChunkSize(chunkSize), ...msgs.map((m) => encodeChunked(m, chunkSize)));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const r = new ChunkReader();
        const got: RtmpMessage[] = [];
        let prev = 0;
        for (const p of [...points, wire.length]) {
          for (const m of r.push(wire.subarray(prev, p))) got.push({ ...m, payload: new Uint8Array(m.payload) });
          prev = p;
        }
        assert.equal(got.length, msgs.length + 1);
        assert.equal(r.chunkSize, chunkSize);
        assert.deepEqual(got.slice(1), msgs.map((m) => ({ ...m })));
        assert.equal(r.bytesReceived, wire.length);
      },
    ),
    { numRuns: 300 },
  );
});
