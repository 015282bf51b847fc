import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createAudioTagInfo, parseAudioTag, type AudioTagInfo } from '../../src/net/codec/audio-tag.ts';
import { bytesOf } from '../helpers/bytes.ts';

const table: { name: string; bytes: Uint8Array; expect: Partial<AudioTagInfo> }[] = [
  {
    name: 'AAC sequence header, 44 kHz 16-bit stereo flags',
    bytes: bytesOf(0xaf, 0, 0x12, 0x10),
    expect: { codec: 'AAC', soundFormat: 10, enhanced: false, packetType: 0, sequenceHeader: true, headerLength: 2, soundRate: 3, soundRateHz: 44100, soundSize: 1, soundType: 1, truncated: false },
  },
  { name: 'AAC raw frame', bytes: bytesOf(0xaf, 1, 0x21), expect: { codec: 'AAC', packetType: 1, sequenceHeader: false, headerLength: 2 } },
  { name: 'AAC flagged mono 22 kHz', bytes: bytesOf(0xaa, 1), expect: { codec: 'AAC', soundRate: 2, soundRateHz: 22050, soundType: 0 } },
  { name: 'MP3 44 kHz stereo', bytes: bytesOf(0x2f, 0xff), expect: { codec: 'MP3', soundFormat: 2, headerLength: 1, packetType: -1, sequenceHeader: false } },
  { name: 'MP3 8 kHz (format 14)', bytes: bytesOf(0xe2, 0xff), expect: { codec: 'MP3', soundFormat: 14, soundRate: 0, soundSize: 1, soundType: 0 } },
  { name: 'Speex', bytes: bytesOf(0xb2, 0), expect: { codec: 'Speex', soundFormat: 11, headerLength: 1 } },
  { name: 'Opus as SRS flags it (13)', bytes: bytesOf(0xdf, 0), expect: { codec: 'Opus', soundFormat: 13, headerLength: 1 } },
  { name: 'G.711 A-law', bytes: bytesOf(0x72, 0), expect: { codec: 'G711A', headerLength: 1 } },
  { name: 'G.711 mu-law', bytes: bytesOf(0x82, 0), expect: { codec: 'G711U' } },
  { name: 'Nellymoser 8 kHz', bytes: bytesOf(0x52, 0), expect: { codec: 'Nellymoser' } },
  { name: 'reserved format 12', bytes: bytesOf(0xc2, 0), expect: { codec: 'other', soundFormat: 12, headerLength: 1, truncated: false } },
  {
    name: 'enhanced Opus SequenceStart',
    bytes: bytesOf(0x90, 'Opus', 'OpusHead'),
    expect: { codec: 'Opus', soundFormat: 9, fourCC: 'Opus', enhanced: true, packetType: 0, sequenceHeader: true, headerLength: 5, soundRate: 0, soundRateHz: 0, truncated: false },
  },
  { name: 'enhanced Opus CodedFrames', bytes: bytesOf(0x91, 'Opus', 0xfc), expect: { codec: 'Opus', packetType: 1, sequenceHeader: false, headerLength: 5 } },
  { name: 'enhanced Opus SequenceEnd', bytes: bytesOf(0x92, 'Opus'), expect: { codec: 'Opus', endOfSequence: true } },
  { name: 'enhanced mp4a', bytes: bytesOf(0x90, 'mp4a', 0x12, 0x10), expect: { codec: 'AAC', fourCC: 'mp4a', sequenceHeader: true } },
  { name: 'enhanced fLaC', bytes: bytesOf(0x91, 'fLaC'), expect: { codec: 'FLAC', fourCC: 'fLaC' } },
  { name: 'enhanced .mp3', bytes: bytesOf(0x91, '.mp3'), expect: { codec: 'MP3', fourCC: '.mp3' } },
  { name: 'enhanced ac-3', bytes: bytesOf(0x91, 'ac-3'), expect: { codec: 'AC3', fourCC: 'ac-3' } },
  { name: 'enhanced ec-3', bytes: bytesOf(0x91, 'ec-3'), expect: { codec: 'EAC3', fourCC: 'ec-3' } },
  { name: 'enhanced unknown FourCC', bytes: bytesOf(0x91, 'zzzz', 1), expect: { codec: 'other', fourCC: 'zzzz', headerLength: 5 } },
  { name: 'enhanced multitrack OneTrack Opus', bytes: bytesOf(0x95, 0x00, 'Opus', 3, 1), expect: { codec: 'Opus', multitrack: true, sequenceHeader: true, headerLength: 7 } },
  { name: 'enhanced ModEx', bytes: bytesOf(0x97, 0x00, 0x55, 0x01, 'Opus'), expect: { codec: 'Opus', packetType: 1, headerLength: 8, truncated: false } },
  { name: 'empty', bytes: bytesOf(), expect: { codec: 'other', truncated: true, headerLength: 0 } },
  { name: 'AAC without packet type', bytes: bytesOf(0xaf), expect: { codec: 'AAC', headerLength: 2, packetType: -1, sequenceHeader: false, truncated: true } },
  { name: 'enhanced cut in the FourCC', bytes: bytesOf(0x90, 'Op'), expect: { enhanced: true, codec: 'other', truncated: true } },
];

for (const row of table) {
  test(`audio tag: ${row.name}`, () => {
    const info = parseAudioTag(row.bytes);
    const picked = Object.fromEntries(Object.keys(row.expect).map((k) => [k, info[k as keyof AudioTagInfo]]));
    assert.deepEqual(picked, row.expect);
    if (!info.truncated) assert.ok(info.headerLength <= row.bytes.length);
  });
}

test('audio tag: a reused output object is fully reset', () => {
  const out = createAudioTagInfo();
  parseAudioTag(bytesOf(0x90, 'Opus'), out);
  assert.deepEqual(parseAudioTag(bytesOf(0x2f, 0), out), parseAudioTag(bytesOf(0x2f, 0)));
});

test('audio tag: random bytes never throw, and truncated says exactly when the header is cut short', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
      const info = parseAudioTag(bytes);
      assert.equal(info.truncated, bytes.length < info.headerLength || info.headerLength === 0);
    }),
    { numRuns: 2000 },
  );
});
