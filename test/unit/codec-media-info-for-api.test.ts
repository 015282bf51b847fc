import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { av1LevelName, parseAv1Config } from '../../src/net/codec/av1.ts';
import { describeStream } from '../../src/net/codec/media-info.ts';
import { parseOpusHead } from '../../src/net/codec/opus.ts';
import { bytesOf, fromHex } from '../helpers/bytes.ts';

// x265 hvcC for 854x480 Main level 3 (see codec-hevc-config-and-sps.test.ts for its origin).
const HVCC = fromHex(
  '0101600000009000000000005af000fcfdf8f800000f03' +
    '200001001840010c01ffff01600000030090000003000003005a959409' +
    '210001002b42010101600000030090000003000003005aa006c201e1cde595952930bc05a02000000300200000030321' +
    '22000100064401c073c189',
);
// av1C from `ffmpeg -f lavfi -i testsrc2=size=854x480 -c:v libsvtav1` into MP4 (SVT-AV1):
// seq_profile 0, seq_level_idx 4, one sequence header OBU. ffprobe: av1 Main, level 4, 854x480.
const AV1C = fromHex('81040c000a0b00000024c6abdf00be0010');
// OpusHead (RFC 7845 5.1): version 1, 2 channels, pre-skip 312, 48000 Hz input, gain 0, family 0.
const OPUS_HEAD = bytesOf('OpusHead', 1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0);
const AVCC_200K = fromHex(
  '0142c01effe10022 6742c01eda0280bfe5c044000003000400000300c98100084d00109b928801e2c5d4 01 0004 68ce3c80',
);

test('AV1: av1C with its sequence header OBU', () => {
  assert.deepEqual(parseAv1Config(AV1C), { profile: 0, profileName: 'Main', level: 4, levelName: '3.0', tier: 0, width: 854, height: 480 });
  assert.deepEqual(parseAv1Config(AV1C.subarray(0, 4)), { profile: 0, profileName: 'Main', level: 4, levelName: '3.0', tier: 0, width: 0, height: 0 });
  for (let n = 0; n < 4; n++) assert.throws(() => parseAv1Config(AV1C.subarray(0, n)), (e) => isSluiceError(e, 'CODEC_DECODE'));
  for (let n = 5; n < AV1C.length; n++) assert.throws(() => parseAv1Config(AV1C.subarray(0, n)), (e) => isSluiceError(e, 'CODEC_DECODE'));
  assert.deepEqual([0, 1, 4, 9, 13, 23, 31].map(av1LevelName), ['2.0', '2.1', '3.0', '4.1', '5.1', '7.3', 'max']);
});

test('Opus: OpusHead decodes; malformed is CODEC_DECODE', () => {
  assert.deepEqual(parseOpusHead(OPUS_HEAD), { version: 1, channels: 2, preSkip: 312, inputSampleRate: 48000, outputGain: 0, channelMappingFamily: 0 });
  assert.throws(() => parseOpusHead(OPUS_HEAD.subarray(0, 18)), (e) => isSluiceError(e, 'CODEC_DECODE'));
  assert.throws(() => parseOpusHead(bytesOf('OpusTags', OPUS_HEAD.subarray(8))), (e) => isSluiceError(e, 'CODEC_DECODE'));
});

const table: { name: string; video?: Uint8Array; audio?: Uint8Array; meta?: Record<string, unknown>; expect: unknown }[] = [
  { name: 'nothing yet', expect: { video: null, audio: null } },
  {
    name: 'legacy AVC + AAC (the API sample shape)',
    video: bytesOf(0x17, 0, 0, 0, 0, AVCC_200K),
    audio: fromHex('af00121056e500'),
    expect: {
      video: { codec: 'H264', profile: 'Constrained Baseline', level: '3', width: 640, height: 360 },
      audio: { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' },
    },
  },
  {
    name: 'legacy HEVC, codec id 12 (Chinese CDNs)',
    video: bytesOf(0x1c, 0, 0, 0, 0, HVCC),
    expect: { video: { codec: 'H265', profile: 'Main', level: '3', width: 854, height: 480 }, audio: null },
  },
  {
    name: 'enhanced RTMP hvc1 SequenceStart + Opus',
    video: bytesOf(0x90, 'hvc1', HVCC),
    audio: bytesOf(0x90, 'Opus', OPUS_HEAD),
    expect: {
      video: { codec: 'H265', profile: 'Main', level: '3', width: 854, height: 480 },
      audio: { codec: 'Opus', sample_rate: 48000, channel: 2, profile: 'Other' },
    },
  },
  {
    name: 'enhanced RTMP av01 SequenceStart + mp4a',
    video: bytesOf(0x90, 'av01', AV1C),
    audio: bytesOf(0x90, 'mp4a', fromHex('1190')),
    expect: {
      video: { codec: 'AV1', profile: 'Main', level: '3.0', width: 854, height: 480 },
      audio: { codec: 'AAC', sample_rate: 48000, channel: 2, profile: 'LC' },
    },
  },
  {
    name: 'AAC flagged stereo but configured mono: channel follows the flag, like SRS',
    audio: fromHex('af001208'),
    expect: { video: null, audio: { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' } },
  },
  {
    name: 'AAC at 48 kHz: the configured rate, not the 44.1 kHz FLV flag',
    audio: fromHex('af001190'),
    expect: { video: null, audio: { codec: 'AAC', sample_rate: 48000, channel: 2, profile: 'LC' } },
  },
  {
    name: 'MP3 mono 22 kHz from the flags',
    audio: fromHex('2aff'),
    expect: { video: null, audio: { codec: 'MP3', sample_rate: 22050, channel: 1, profile: 'Other' } },
  },
  {
    name: 'malformed avcC: codec known, size from metadata',
    video: fromHex('1700000000 01 4d'),
    meta: { width: 1280, height: 720 },
    expect: { video: { codec: 'H264', profile: 'Other', level: 'Other', width: 1280, height: 720 }, audio: null },
  },
  {
    name: 'VP6 has no sequence header: metadata size',
    video: fromHex('1400'),
    meta: { width: 320.0, height: 240.0, framerate: 25 },
    expect: { video: { codec: 'VP6', profile: 'Other', level: 'Other', width: 320, height: 240 }, audio: null },
  },
  {
    name: 'unknown enhanced codec',
    video: bytesOf(0x90, 'xyz1', 1, 2, 3),
    meta: { width: 'wide' },
    expect: { video: { codec: 'other', profile: 'Other', level: 'Other', width: 0, height: 0 }, audio: null },
  },
];

for (const row of table) {
  test(`describeStream: ${row.name}`, () => {
    assert.deepEqual(describeStream(row.video, row.audio, row.meta), row.expect);
  });
}

test('describeStream: random tags never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 30 }), (v, a) => {
      const d = describeStream(v, a);
      if (v.length > 0) assert.equal(typeof d.video?.codec, 'string');
      // A legacy AVC/HEVC header in front of random bytes reaches the SPS parsers.
      describeStream(bytesOf(0x17, 0, 0, 0, 0, 1, v), bytesOf(0xaf, 0, a));
      describeStream(bytesOf(0x90, 'hvc1', 1, v), bytesOf(0x90, 'Opus', a));
      describeStream(bytesOf(0x90, 'av01', 0x81, v));
    }),
    { numRuns: 3000 },
  );
});
