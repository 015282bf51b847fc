import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import type { RtmpMessage } from '../../src/net/rtmp/chunk-reader.ts';
import { isSluiceError } from '../../src/errors.ts';
import { concatBytes, fromHex } from '../helpers/bytes.ts';

const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const counting = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

function msg(csid: number, type: number, streamId: number, timestamp: number, payload: Uint8Array): RtmpMessage {
  return { csid, type, streamId, timestamp, payload };
}

/** Plain copies so subarray-vs-copy does not affect comparisons. */
function norm(ms: RtmpMessage[]): RtmpMessage[] {
  return ms.map((m) => ({ ...m, payload: new Uint8Array(m.payload) }));
}

function readAll(bytes: Uint8Array, opts?: ConstructorParameters<typeof ChunkReader>[0]): RtmpMessage[] {
  return norm(new ChunkReader(opts).push(bytes));
}

/** Whole, byte at a time, and cut at every point into two pushes all give `expected`. */
function assertAllSplits(bytes: Uint8Array, expected: RtmpMessage[]): void {
  assert.deepEqual(readAll(bytes), expected, 'whole');
  const r = new ChunkReader();
  const got: RtmpMessage[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...norm(r.push(bytes.subarray(i, i + 1))));
  assert.deepEqual(got, expected, 'byte at a time');
  assert.equal(r.bytesReceived, bytes.length);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r2 = new ChunkReader();
    const parts = [...norm(r2.push(bytes.subarray(0, cut))), ...norm(r2.push(bytes.subarray(cut)))];
    assert.deepEqual(parts, expected, `cut at ${cut}`);
  }
}

const P5 = fromHex('0102030405');

// A table of bytes -> messages. Each case is also read split at every point.
const table: { name: string; bytes: Uint8Array; value: RtmpMessage[] }[] = [
  {
    name: 'fmt 0 absolute header',
    bytes: concatBytes(fromHex('03 0003e8 000005 14 01000000'), P5),
    value: [msg(3, 20, 1, 1000, P5)],
  },
  {
    name: 'fmt 0, then fmt 1 (delta, new length and type), fmt 2 (delta), fmt 3 (same delta)',
    bytes: concatBytes(
      fromHex('03 0003e8 000005 14 01000000'), P5,
      fromHex('43 000014 000002 09'), fromHex('aabb'),
      fromHex('83 00000a'), fromHex('ccdd'),
      fromHex('c3'), fromHex('eeff'),
    ),
    value: [
      msg(3, 20, 1, 1000, P5),
      msg(3, 9, 1, 1020, fromHex('aabb')),
      msg(3, 9, 1, 1030, fromHex('ccdd')),
      msg(3, 9, 1, 1040, fromHex('eeff')),
    ],
  },
  {
    name: 'fmt 3 right after fmt 0 reuses the fmt 0 field as delta (SRS, ffmpeg)',
    bytes: concatBytes(fromHex('04 000017 000001 08 01000000 aa'), fromHex('c4 bb')),
    value: [msg(4, 8, 1, 23, fromHex('aa')), msg(4, 8, 1, 46, fromHex('bb'))],
  },
  {
    name: 'two-byte csid form (64 and 319)',
    bytes: concatBytes(fromHex('00 00 000001 000001 08 00000000 aa'), fromHex('00 ff 000002 000001 09 00000000 bb')),
    value: [msg(64, 8, 0, 1, fromHex('aa')), msg(319, 9, 0, 2, fromHex('bb'))],
  },
  {
    name: 'three-byte csid form (320, 65599, and 64 written long)',
    bytes: concatBytes(
      fromHex('01 00 01 000001 000001 08 00000000 aa'),
      fromHex('01 ff ff 000002 000001 09 00000000 bb'),
      fromHex('01 00 00 000003 000001 12 00000000 cc'),
    ),
    value: [msg(320, 8, 0, 1, fromHex('aa')), msg(65599, 9, 0, 2, fromHex('bb')), msg(64, 18, 0, 3, fromHex('cc'))],
  },
  {
    name: 'message split into 128-byte chunks with fmt 3 continuations',
    bytes: concatBytes(fromHex('06 000000 000104 09 01000000'), counting(260).subarray(0, 128), fromHex('c6'), counting(260).subarray(128, 256), fromHex('c6'), counting(260).subarray(256)),
    value: [msg(6, 9, 1, 0, counting(260))],
  },
  {
    name: 'extended timestamp on fmt 0, repeated on the type-3 continuation (spec, Adobe)',
    bytes: concatBytes(fromHex('04 ffffff 0000c8 09 01000000 01000000'), fill(128, 0x55), fromHex('c4 01000000'), fill(72, 0x55)),
    value: [msg(4, 9, 1, 0x01000000, fill(200, 0x55))],
  },
  {
    name: 'extended timestamp not repeated on type-3 (librtmp / old ffmpeg)',
    bytes: concatBytes(fromHex('04 ffffff 0000c8 09 01000000 01000000'), fill(128, 0x55), fromHex('c4'), fill(72, 0x55)),
    value: [msg(4, 9, 1, 0x01000000, fill(200, 0x55))],
  },
  {
    name: 'exactly 0xFFFFFF goes extended',
    bytes: concatBytes(fromHex('04 ffffff 000001 08 01000000 00ffffff aa')),
    value: [msg(4, 8, 1, 0xffffff, fromHex('aa'))],
  },
  {
    name: 'extended delta on fmt 1, repeated by a fmt 3 that starts the next message',
    bytes: concatBytes(
      fromHex('04 000010 000001 08 01000000 aa'),
      fromHex('44 ffffff 000001 08 01000000 bb'),
      fromHex('c4 01000000 cc'),
    ),
    value: [msg(4, 8, 1, 0x10, fromHex('aa')), msg(4, 8, 1, 0x01000010, fromHex('bb')), msg(4, 8, 1, 0x02000010, fromHex('cc'))],
  },
  {
    name: 'timestamps wrap at 2^32',
    bytes: concatBytes(fromHex('04 ffffff 000001 08 01000000 fffffff0 aa'), fromHex('84 000020 bb')),
    value: [msg(4, 8, 1, 0xfffffff0, fromHex('aa')), msg(4, 8, 1, 0x10, fromHex('bb'))],
  },
  {
    name: 'interleaved chunk streams: two messages whose chunks alternate',
    bytes: concatBytes(
      fromHex('04 000001 0000c8 08 01000000'), fill(128, 0xa1),
      fromHex('06 000002 0000c8 09 01000000'), fill(128, 0xb2),
      fromHex('c4'), fill(72, 0xa1),
      fromHex('c6'), fill(72, 0xb2),
    ),
    value: [msg(4, 8, 1, 1, fill(200, 0xa1)), msg(6, 9, 1, 2, fill(200, 0xb2))],
  },
  {
    name: 'Set Chunk Size applies to the bytes right after it',
    bytes: concatBytes(fromHex('02 000000 000004 01 00000000 00000100'), fromHex('03 000000 0000c8 14 00000000'), fill(200, 7)),
    value: [msg(2, 1, 0, 0, fromHex('00000100')), msg(3, 20, 0, 0, fill(200, 7))],
  },
  {
    name: 'Abort discards the partial message of its csid',
    bytes: concatBytes(
      fromHex('04 000000 0000c8 08 01000000'), fill(128, 9),
      fromHex('02 000000 000004 02 00000000 00000004'),
      fromHex('04 000005 000002 08 01000000 aabb'),
    ),
    value: [msg(2, 2, 0, 0, fromHex('00000004')), msg(4, 8, 1, 5, fromHex('aabb'))],
  },
  {
    name: 'fresh chunk stream starting with fmt 1 (librtmp ping)',
    bytes: fromHex('42 000000 000006 04 0006 00000d0f'),
    value: [msg(2, 4, 0, 0, fromHex('000600000d0f'))],
  },
  {
    name: 'fresh chunk stream starting with fmt 3 inherits a zeroed header',
    bytes: concatBytes(fromHex('c5'), fromHex('45 000007 000001 08 aa')),
    value: [msg(5, 0, 0, 0, new Uint8Array(0)), msg(5, 8, 0, 7, fromHex('aa'))],
  },
  {
    name: 'zero-length message',
    bytes: fromHex('03 000009 000000 12 01000000'),
    value: [msg(3, 18, 1, 9, new Uint8Array(0))],
  },
];

for (const c of table) {
  test(`reads: ${c.name}`, () => assertAllSplits(c.bytes, c.value));
}

test('a message in one chunk of one push is a zero-copy subarray; others are assembled', () => {
  const bytes = concatBytes(fromHex('03 0003e8 000005 14 01000000'), P5);
  const [m] = new ChunkReader().push(bytes);
  assert.equal(m!.payload.buffer, bytes.buffer);
  assert.equal(m!.payload.byteOffset, 12);
  const r = new ChunkReader();
  r.push(bytes.subarray(0, 14));
  const [m2] = r.push(bytes.subarray(14));
  assert.notEqual(m2!.payload.buffer, bytes.buffer);
  assert.deepEqual(m2!.payload, P5);
});

test('Set Chunk Size: sizes above 65536 accepted up to 16777215; 0..127 and beyond 24 bits refused', () => {
  const scs = (n: string) => fromHex(`02 000000 000004 01 00000000 ${n}`);
  const r = new ChunkReader();
  r.push(scs('00010001'));
  assert.equal(r.chunkSize, 65537);
  r.push(scs('00000080'));
  assert.equal(r.chunkSize, 128);
  r.push(scs('00ffffff'));
  assert.equal(r.chunkSize, 0xffffff);
  for (const bad of ['00000000', '00000001', '0000007f', '01000000', '7fffffff', '80000000', 'ffffffff']) {
    assert.throws(() => new ChunkReader().push(scs(bad)), (e) => isSluiceError(e, 'RTMP_CHUNK_SIZE'), bad);
  }
  assert.throws(() => new ChunkReader().push(fromHex('02 000000 000002 01 00000000 0001')), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
});

test('huge declared length is refused before any payload arrives', () => {
  assert.throws(() => new ChunkReader({ maxMessageSize: 1000 }).push(fromHex('03 000000 0003e9 09 01000000')), (e) =>
    isSluiceError(e, 'RTMP_MESSAGE_SIZE'),
  );
  assert.throws(() => new ChunkReader({ maxMessageSize: 1000 }).push(fromHex('03 000000 000001 09 01000000 aa 43 000000 0003e9 09')), (e) =>
    isSluiceError(e, 'RTMP_MESSAGE_SIZE'),
  );
  assert.equal(new ChunkReader({ maxMessageSize: 1000 }).push(concatBytes(fromHex('03 000000 0003e8 09 01000000'))).length, 0);
});

test('too many chunk streams are refused', () => {
  const r = new ChunkReader({ maxChunkStreams: 3 });
  r.push(fromHex('c3 c4 c5 c3'));
  assert.throws(() => r.push(fromHex('c6')), (e) => isSluiceError(e, 'RTMP_CHUNK_STREAMS'));
  // 62 one-byte csids (2..63), then 64, 65 and 66 in two-byte form: the 65th is refused.
  const many = concatBytes(Uint8Array.from({ length: 62 }, (_, i) => 0xc0 | (i + 2)), fromHex('c000 c001'));
  const r64 = new ChunkReader();
  r64.push(many);
  assert.throws(() => r64.push(fromHex('c002')), (e) => isSluiceError(e, 'RTMP_CHUNK_STREAMS'));
});

test('a new fmt 0 header or a length change in the middle of a message is malformed', () => {
  const start = concatBytes(fromHex('04 000000 0000c8 08 01000000'), fill(128, 1));
  assert.throws(() => new ChunkReader().push(concatBytes(start, fromHex('04 000000 000001 08 01000000 aa'))), (e) => isSluiceError(e, 'RTMP_CHUNK'));
  assert.throws(() => new ChunkReader().push(concatBytes(start, fromHex('44 000000 000001 08 aa'))), (e) => isSluiceError(e, 'RTMP_CHUNK'));
  // fmt 1 with the same length and fmt 2 are tolerated mid-message (SRS does too).
  const ok = new ChunkReader().push(concatBytes(start, fromHex('84 000005'), fill(72, 1)));
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.timestamp, 5);
});

test('partial messages are allocated at their declared length and never grow', () => {
  const r = new ChunkReader();
  r.push(concatBytes(fromHex('04 000000 0000c8 08 01000000'), fill(10, 1)));
  r.push(fill(118, 1));
  const [m] = r.push(concatBytes(fromHex('c4'), fill(72, 1)));
  assert.equal(m!.payload.buffer.byteLength, 200);
});

test('random input decodes or throws SluiceError, and splitting does not change the outcome', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), (data, cut) => {
      let whole: RtmpMessage[] | string;
      try {
        whole = readAll(data);
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
        whole = (e as { code: string }).code;
      }
      let split: RtmpMessage[] | string;
      try {
        const r = new ChunkReader();
        split = [...norm(r.push(data.subarray(0, cut))), ...norm(r.push(data.subarray(cut)))];
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
        split = (e as { code: string }).code;
      }
      assert.deepEqual(split, whole);
    }),
    { numRuns: 2000 },
  );
});
