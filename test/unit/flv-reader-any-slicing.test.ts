import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { encodeFlvHeader } from '../../src/net/flv/flv-header.ts';
import { FlvReader, readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { encodeTag, type FlvTag } from '../../src/net/flv/flv-tag.ts';
import { concatBytes } from '../helpers/bytes.ts';

const file = readFileSync('/work/shared/media/av-bframes.flv');
const whole = readFlvFile(file).tags;

// A small file: header, then one tag of each kind plus a few frames, cut from the sample.
function smallFile(): { bytes: Uint8Array; tags: FlvTag[] } {
  const tags = whole.slice(0, 8).map((t) => ({ ...t, data: t.data.subarray(0, Math.min(t.data.length, 40)) }));
  const bytes = concatBytes(encodeFlvHeader({ audio: true, video: true }), ...tags.map((t) => encodeTag(t.type, t.timestamp, t.data)));
  return { bytes, tags };
}

test('FlvReader: a sample file fed one byte at a time gives the same tags', () => {
  const reader = new FlvReader();
  const prefix = file.subarray(0, 200_000);
  const expected = readFlvFile(prefix).tags;
  const got: FlvTag[] = [];
  for (let i = 0; i < prefix.length; i++) got.push(...reader.push(prefix.subarray(i, i + 1)));
  assert.deepEqual(got, expected);
  assert.ok(expected.length > 20);
});

test('FlvReader: every split point of a small file gives identical tags', () => {
  const { bytes, tags } = smallFile();
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new FlvReader();
    const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.deepEqual(got, tags, `cut at ${cut}`);
    assert.equal(reader.bufferedBytes, 0);
  }
});

test('FlvReader: random slicing of the whole sample file gives identical tags', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 60 }), (sizes) => {
      const reader = new FlvReader();
      const got: FlvTag[] = [];
      let at = 0;
      for (let i = 0; at < file.length; i++) {
        const n = sizes[i % sizes.length]!;
        got.push(...reader.push(file.subarray(at, at + n)));
        at += n;
      }
      assert.equal(got.length, whole.length);
      assert.deepEqual(got, whole);
    }),
    { numRuns: 8 },
  );
});

test('FlvReader: tag data is copied, so the caller may reuse its buffer', () => {
  const { bytes, tags } = smallFile();
  const scratch = Uint8Array.from(bytes);
  const got = new FlvReader().push(scratch);
  scratch.fill(0);
  assert.deepEqual(got, tags);
});

test('FlvReader: header getter, 32-bit timestamps, masked filter bit', () => {
  const reader = new FlvReader();
  assert.equal(reader.header, null);
  const tag = encodeTag(9, 0xfedcba98, Uint8Array.of(0x27, 1));
  tag[0] = 0x29; // filter bit set
  const got = reader.push(concatBytes(encodeFlvHeader({ audio: false, video: true }), tag));
  assert.deepEqual(reader.header, { version: 1, audio: false, video: true, dataOffset: 9 });
  assert.deepEqual(got, [{ type: 9, timestamp: 0xfedcba98, streamId: 0, data: Uint8Array.of(0x27, 1) }]);
});

test('FlvReader: a data offset beyond 9 is skipped', () => {
  const header = Uint8Array.of(0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 12, 0xaa, 0xbb, 0xcc, 0, 0, 0, 0);
  const tag = encodeTag(8, 7, Uint8Array.of(0xaf, 1, 2));
  for (let cut = 0; cut <= header.length + tag.length; cut++) {
    const all = concatBytes(header, tag);
    const reader = new FlvReader();
    const got = [...reader.push(all.subarray(0, cut)), ...reader.push(all.subarray(cut))];
    assert.deepEqual(got, [{ type: 8, timestamp: 7, streamId: 0, data: Uint8Array.of(0xaf, 1, 2) }]);
  }
});

test('FlvReader: expectHeader false reads a bare tag stream', () => {
  const tags = [encodeTag(8, 1, Uint8Array.of(1)), encodeTag(9, 2, Uint8Array.of(2, 3))];
  const got = new FlvReader({ expectHeader: false }).push(concatBytes(...tags));
  assert.deepEqual(got.map((t) => [t.type, t.timestamp, t.data.length]), [[8, 1, 1], [9, 2, 2]]);
});

test('FlvReader: a declared tag size above the limit is FLV_DECODE before any allocation', () => {
  const reader = new FlvReader({ maxTagSize: 1000 });
  reader.push(encodeFlvHeader({ audio: true, video: true }));
  const header = Uint8Array.of(9, 0, 0x03, 0xe9, 0, 0, 0, 0, 0, 0, 0); // 1001 bytes
  assert.throws(() => reader.push(header), (e) => isSluiceError(e, 'FLV_DECODE'));
  assert.throws(() => reader.push(Uint8Array.of(0)), (e) => isSluiceError(e, 'FLV_DECODE'), 'stays failed');
  // The default 16 MiB limit covers every 24-bit size; a server configures a tighter one.
  const big = new FlvReader({ maxTagSize: 1 << 20 });
  big.push(encodeFlvHeader({ audio: true, video: true }));
  assert.throws(() => big.push(Uint8Array.of(9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0)), (e) => isSluiceError(e, 'FLV_DECODE'));
});

test('FlvReader: a tag exactly at the limit is accepted', () => {
  const reader = new FlvReader({ maxTagSize: 1000 });
  const got = reader.push(concatBytes(encodeFlvHeader({ audio: true, video: true }), encodeTag(9, 0, new Uint8Array(1000))));
  assert.equal(got[0]!.data.length, 1000);
});

test('FlvReader: bad signature is FLV_DECODE', () => {
  const reader = new FlvReader();
  assert.throws(() => reader.push(Buffer.from('GET / HTTP/1.1\r\n')), (e) => isSluiceError(e, 'FLV_DECODE'));
  assert.throws(() => readFlvFile(Uint8Array.of(0x46, 0x4c)), (e) => isSluiceError(e, 'FLV_DECODE'));
});

test('readFlvFile: a cut-off file keeps its whole tags and counts the rest', () => {
  const { bytes, tags } = smallFile();
  const cut = readFlvFile(bytes.subarray(0, bytes.length - 3));
  assert.deepEqual(cut.tags, tags.slice(0, -1));
  assert.equal(cut.trailingBytes, 11 + tags.at(-1)!.data.length + 4 - 3);
});

test('FlvReader: random bytes either decode or throw SluiceError', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 50 }),
      (bytes, withHeader, step) => {
        const input = withHeader ? concatBytes(encodeFlvHeader({ audio: true, video: true }), bytes) : bytes;
        const reader = new FlvReader({ maxTagSize: 4096 });
        try {
          for (let i = 0; i < input.length; i += step) reader.push(input.subarray(i, i + step));
        } catch (err) {
          assert.ok(isSluiceError(err, 'FLV_DECODE'), String(err));
        }
      },
    ),
    { numRuns: 500 },
  );
});
