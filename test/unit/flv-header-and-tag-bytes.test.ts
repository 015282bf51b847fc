import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { decodeFlvHeader, encodeFlvHeader, FLV_FILE_HEADER_SIZE } from '../../src/net/flv/flv-header.ts';
import {
  encodeTag,
  FLV_TAG_HEADER_SIZE,
  tagLength,
  writePreviousTagSize,
  writeTagHeader,
} from '../../src/net/flv/flv-tag.ts';
import { fromHex } from '../helpers/bytes.ts';

const headerTable = [
  { name: 'audio+video', value: { audio: true, video: true }, bytes: '464c5601 05 00000009 00000000' },
  { name: 'audio only', value: { audio: true, video: false }, bytes: '464c5601 04 00000009 00000000' },
  { name: 'video only', value: { audio: false, video: true }, bytes: '464c5601 01 00000009 00000000' },
  { name: 'neither', value: { audio: false, video: false }, bytes: '464c5601 00 00000009 00000000' },
];

for (const row of headerTable) {
  test(`FLV header ${row.name}: encodes to its bytes`, () => {
    const out = encodeFlvHeader(row.value);
    assert.equal(out.length, FLV_FILE_HEADER_SIZE);
    assert.deepEqual(out, fromHex(row.bytes));
  });
  test(`FLV header ${row.name}: decodes from its bytes`, () => {
    assert.deepEqual(decodeFlvHeader(fromHex(row.bytes)), { version: 1, ...row.value, dataOffset: 9 });
  });
}

test('FLV header: bad signature, short input and absurd data offsets are FLV_DECODE', () => {
  for (const bad of ['464c5701 05 00000009', '464c5601 05 0000', '464c5601 05 00000008', '464c5601 05 7fffffff']) {
    assert.throws(() => decodeFlvHeader(fromHex(bad)), (e) => isSluiceError(e, 'FLV_DECODE'));
  }
});

const tagTable = [
  { name: 'audio, ts 0', type: 8, ts: 0, data: 'af01', bytes: '08 000002 000000 00 000000 af01 0000000d' },
  { name: 'video, ts 0x123456', type: 9, ts: 0x123456, data: '17', bytes: '09 000001 123456 00 000000 17 0000000c' },
  // The fourth timestamp byte holds bits 24-31.
  { name: 'script, extended ts', type: 18, ts: 0x89abcdef, data: '', bytes: '12 000000 abcdef 89 000000 0000000b' },
  { name: 'ts wraps at 2^32', type: 9, ts: 2 ** 32 + 5, data: '', bytes: '09 000000 000005 00 000000 0000000b' },
];

for (const row of tagTable) {
  test(`FLV tag ${row.name}: encodeTag gives its bytes`, () => {
    const data = fromHex(row.data);
    const out = encodeTag(row.type, row.ts, data);
    assert.equal(out.length, tagLength(data.length));
    assert.deepEqual(out, fromHex(row.bytes));
  });
  test(`FLV tag ${row.name}: written in place at an offset`, () => {
    const data = fromHex(row.data);
    const target = new Uint8Array(3 + tagLength(data.length)).fill(0xee);
    let at = writeTagHeader(target, 3, row.type, data.length, row.ts);
    assert.equal(at, 3 + FLV_TAG_HEADER_SIZE);
    target.set(data, at);
    at = writePreviousTagSize(target, at + data.length, FLV_TAG_HEADER_SIZE + data.length);
    assert.equal(at, target.length);
    assert.deepEqual(target.subarray(0, 3), fromHex('eeeeee'));
    assert.deepEqual(target.subarray(3), fromHex(row.bytes));
  });
}

test('FLV tag: a payload over 24 bits cannot be written', () => {
  const target = new Uint8Array(FLV_TAG_HEADER_SIZE);
  assert.throws(() => writeTagHeader(target, 0, 9, 0x1000000, 0), (e) => isSluiceError(e, 'FLV_ENCODE'));
  assert.throws(() => writeTagHeader(target, 0, 9, -1, 0), (e) => isSluiceError(e, 'FLV_ENCODE'));
});
