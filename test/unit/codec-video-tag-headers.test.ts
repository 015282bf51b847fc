import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createVideoTagInfo, parseVideoTag, type VideoTagInfo } from '../../src/net/codec/video-tag.ts';
import { bytesOf } from '../helpers/bytes.ts';

type Expect = Partial<VideoTagInfo>;
const table: { name: string; bytes: Uint8Array; expect: Expect }[] = [
  {
    name: 'legacy AVC sequence header',
    bytes: bytesOf(0x17, 0, 0, 0, 0, 1, 0x42),
    expect: { codec: 'H264', codecId: 7, fourCC: '', enhanced: false, frameType: 1, packetType: 0, keyframe: false, sequenceHeader: true, endOfSequence: false, compositionTime: 0, headerLength: 5, truncated: false },
  },
  {
    name: 'legacy AVC keyframe, cts 80',
    bytes: bytesOf(0x17, 1, 0, 0, 0x50, 0, 0, 0, 1, 0x65),
    expect: { codec: 'H264', frameType: 1, packetType: 1, keyframe: true, sequenceHeader: false, compositionTime: 80, headerLength: 5 },
  },
  {
    name: 'legacy AVC inter frame, negative cts',
    bytes: bytesOf(0x27, 1, 0xff, 0xff, 0xfe),
    expect: { codec: 'H264', frameType: 2, keyframe: false, compositionTime: -2, headerLength: 5, truncated: false },
  },
  {
    name: 'legacy AVC end of sequence',
    bytes: bytesOf(0x17, 2, 0, 0, 0),
    expect: { codec: 'H264', packetType: 2, keyframe: false, endOfSequence: true, sequenceHeader: false },
  },
  {
    name: 'legacy AVC command frame',
    bytes: bytesOf(0x57, 0),
    expect: { codec: 'H264', frameType: 5, command: true, keyframe: false, sequenceHeader: false, truncated: true },
  },
  {
    name: 'legacy HEVC (id 12) sequence header',
    bytes: bytesOf(0x1c, 0, 0, 0, 0, 1),
    expect: { codec: 'H265', codecId: 12, sequenceHeader: true, keyframe: false, headerLength: 5 },
  },
  {
    name: 'legacy HEVC (id 12) keyframe, cts 40',
    bytes: bytesOf(0x1c, 1, 0, 0, 40, 0, 0, 0, 1),
    expect: { codec: 'H265', codecId: 12, keyframe: true, compositionTime: 40, headerLength: 5 },
  },
  {
    name: 'legacy HEVC (id 12) inter frame',
    bytes: bytesOf(0x2c, 1, 0, 0, 0),
    expect: { codec: 'H265', frameType: 2, keyframe: false },
  },
  { name: 'VP6 keyframe', bytes: bytesOf(0x14, 0), expect: { codec: 'VP6', codecId: 4, keyframe: true, headerLength: 1, packetType: -1 } },
  { name: 'VP6 alpha inter', bytes: bytesOf(0x25, 0), expect: { codec: 'VP6', codecId: 5, keyframe: false, headerLength: 1 } },
  { name: 'Sorenson H.263 keyframe', bytes: bytesOf(0x12, 0), expect: { codec: 'H263', keyframe: true, headerLength: 1 } },
  { name: 'Screen video', bytes: bytesOf(0x13), expect: { codec: 'ScreenVideo', headerLength: 1, truncated: false } },
  { name: 'unknown legacy codec 15', bytes: bytesOf(0x1f, 9, 9), expect: { codec: 'other', codecId: 15, headerLength: 1, truncated: false } },
  {
    name: 'enhanced hvc1 SequenceStart',
    bytes: bytesOf(0x90, 'hvc1', 1),
    expect: { codec: 'H265', codecId: -1, fourCC: 'hvc1', enhanced: true, frameType: 1, packetType: 0, sequenceHeader: true, keyframe: false, headerLength: 5, truncated: false },
  },
  {
    name: 'enhanced hvc1 CodedFrames keyframe, cts 33',
    bytes: bytesOf(0x91, 'hvc1', 0, 0, 33, 0, 0, 0, 1),
    expect: { codec: 'H265', packetType: 1, keyframe: true, compositionTime: 33, headerLength: 8 },
  },
  {
    name: 'enhanced hvc1 CodedFramesX inter (no cts)',
    bytes: bytesOf(0xa3, 'hvc1', 0, 0, 0, 1),
    expect: { codec: 'H265', frameType: 2, packetType: 3, keyframe: false, compositionTime: 0, headerLength: 5 },
  },
  {
    name: 'enhanced hvc1 CodedFramesX keyframe',
    bytes: bytesOf(0x93, 'hvc1', 0, 0, 0, 1),
    expect: { codec: 'H265', packetType: 3, keyframe: true, headerLength: 5 },
  },
  {
    name: 'enhanced avc1 CodedFrames, negative cts',
    bytes: bytesOf(0xa1, 'avc1', 0xff, 0xff, 0xf6),
    expect: { codec: 'H264', fourCC: 'avc1', compositionTime: -10, headerLength: 8 },
  },
  {
    name: 'enhanced av01 SequenceStart',
    bytes: bytesOf(0x90, 'av01', 0x81),
    expect: { codec: 'AV1', fourCC: 'av01', sequenceHeader: true, headerLength: 5 },
  },
  {
    name: 'enhanced av01 CodedFrames: no cts for AV1',
    bytes: bytesOf(0x91, 'av01', 0x12, 0),
    expect: { codec: 'AV1', keyframe: true, compositionTime: 0, headerLength: 5 },
  },
  { name: 'enhanced vp09 CodedFrames', bytes: bytesOf(0xa1, 'vp09', 0), expect: { codec: 'VP9', fourCC: 'vp09', keyframe: false, headerLength: 5 } },
  { name: 'enhanced SequenceEnd', bytes: bytesOf(0x92, 'hvc1'), expect: { codec: 'H265', endOfSequence: true, sequenceHeader: false, keyframe: false } },
  { name: 'enhanced Metadata', bytes: bytesOf(0x94, 'hvc1', 2), expect: { codec: 'H265', packetType: 4, sequenceHeader: false, keyframe: false, endOfSequence: false } },
  { name: 'enhanced MPEG2TSSequenceStart', bytes: bytesOf(0x95, 'av01', 0x80), expect: { codec: 'AV1', packetType: 5, sequenceHeader: true } },
  { name: 'enhanced unknown FourCC', bytes: bytesOf(0x91, 'abcd', 0), expect: { codec: 'other', fourCC: 'abcd', keyframe: true, headerLength: 5 } },
  {
    name: 'enhanced ModEx wrapping CodedFrames',
    bytes: bytesOf(0x97, 0x00, 0x11, 0x01, 'hvc1', 0, 0, 5, 0xaa),
    expect: { codec: 'H265', packetType: 1, keyframe: true, compositionTime: 5, headerLength: 11, truncated: false },
  },
  {
    name: 'enhanced multitrack OneTrack avc1 CodedFrames',
    bytes: bytesOf(0x96, 0x01, 'avc1', 0, 0, 0, 10, 0xaa),
    expect: { codec: 'H264', multitrack: true, packetType: 1, keyframe: true, compositionTime: 10, headerLength: 10 },
  },
  {
    name: 'enhanced multitrack ManyTracks hvc1 SequenceStart',
    bytes: bytesOf(0x96, 0x10, 'hvc1', 0, 0, 0, 1, 0xaa),
    expect: { codec: 'H265', multitrack: true, sequenceHeader: true, headerLength: 10 },
  },
  { name: 'empty', bytes: bytesOf(), expect: { codec: 'other', truncated: true, headerLength: 0 } },
  { name: 'one byte of legacy AVC', bytes: bytesOf(0x17), expect: { codec: 'H264', frameType: 1, packetType: -1, headerLength: 5, truncated: true, keyframe: false } },
  { name: 'legacy AVC cut in the cts', bytes: bytesOf(0x17, 1, 0), expect: { codec: 'H264', packetType: 1, compositionTime: 0, truncated: true } },
  { name: 'enhanced cut in the FourCC', bytes: bytesOf(0x91, 'hv'), expect: { codec: 'other', enhanced: true, fourCC: '', truncated: true } },
  { name: 'enhanced hvc1 cut in the cts', bytes: bytesOf(0x91, 'hvc1', 0), expect: { codec: 'H265', headerLength: 8, truncated: true } },
];

for (const row of table) {
  test(`video tag: ${row.name}`, () => {
    const info = parseVideoTag(row.bytes);
    const picked = Object.fromEntries(Object.keys(row.expect).map((k) => [k, info[k as keyof VideoTagInfo]]));
    assert.deepEqual(picked, row.expect);
    if (!info.truncated) assert.ok(info.headerLength <= row.bytes.length);
  });
}

test('video tag: a reused output object is fully reset', () => {
  const out = createVideoTagInfo();
  parseVideoTag(bytesOf(0x91, 'hvc1', 0, 0, 33), out);
  const again = parseVideoTag(bytesOf(0x27, 1, 0, 0, 0), out);
  assert.equal(again, out);
  assert.deepEqual(again, parseVideoTag(bytesOf(0x27, 1, 0, 0, 0)));
});

test('video tag: random bytes never throw, and truncated says exactly when the header is cut short', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const info = parseVideoTag(bytes);
      assert.equal(info.truncated, bytes.length < info.headerLength || bytes.length === 0 || info.headerLength === 0);
    }),
    { numRuns: 2000 },
  );
});
