import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { parseAacConfig, writeAdtsHeader, type AacConfig } from '../../src/net/codec/aac.ts';
import { adtsHeader } from '../helpers/adts-header.ts';
import { BitWriter } from '../helpers/bit-writer.ts';
import { fromHex } from '../helpers/bytes.ts';

const asc = (build: (w: BitWriter) => BitWriter): Uint8Array => build(new BitWriter()).finish();

const table: { name: string; bytes: Uint8Array; value: AacConfig }[] = [
  {
    name: 'LC 44.1 kHz stereo (the sample files, with their 0x2b7 sync extension)',
    bytes: fromHex('121056e500'),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 44100, samplingIndex: 4, outputSampleRate: 44100, channelConfig: 2, channels: 2 },
  },
  {
    name: 'LC 48 kHz stereo',
    bytes: fromHex('1190'),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 48000, samplingIndex: 3, outputSampleRate: 48000, channelConfig: 2, channels: 2 },
  },
  {
    name: 'Main 22.05 kHz mono',
    bytes: fromHex('0b88'),
    value: { objectType: 1, profileName: 'Main', coreObjectType: 1, sampleRate: 22050, samplingIndex: 7, outputSampleRate: 22050, channelConfig: 1, channels: 1 },
  },
  {
    name: 'LC 5.1 at 48 kHz',
    bytes: fromHex('1198'),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 48000, samplingIndex: 3, outputSampleRate: 48000, channelConfig: 3, channels: 3 },
  },
  {
    name: 'LC 7.1 (config 7 = 8 channels)',
    bytes: asc((w) => w.bits(5, 2).bits(4, 3).bits(4, 7)),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 48000, samplingIndex: 3, outputSampleRate: 48000, channelConfig: 7, channels: 8 },
  },
  {
    name: 'HE-AAC (explicit SBR): 22.05 kHz core, 44.1 kHz out',
    bytes: asc((w) => w.bits(5, 5).bits(4, 7).bits(4, 2).bits(4, 4).bits(5, 2)),
    value: { objectType: 5, profileName: 'HE', coreObjectType: 2, sampleRate: 22050, samplingIndex: 7, outputSampleRate: 44100, channelConfig: 2, channels: 2 },
  },
  {
    name: 'HE-AACv2 (PS): mono core, stereo out',
    bytes: asc((w) => w.bits(5, 29).bits(4, 6).bits(4, 1).bits(4, 3).bits(5, 2)),
    value: { objectType: 29, profileName: 'HEv2', coreObjectType: 2, sampleRate: 24000, samplingIndex: 6, outputSampleRate: 48000, channelConfig: 1, channels: 2 },
  },
  {
    name: 'escaped object type 31 -> 32 + 10 = 42',
    bytes: asc((w) => w.bits(5, 31).bits(6, 10).bits(4, 3).bits(4, 2)),
    value: { objectType: 42, profileName: 'Other', coreObjectType: 42, sampleRate: 48000, samplingIndex: 3, outputSampleRate: 48000, channelConfig: 2, channels: 2 },
  },
  {
    name: 'explicit frequency (index 15): 44100',
    bytes: asc((w) => w.bits(5, 2).bits(4, 15).bits(24, 44100).bits(4, 2)),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 44100, samplingIndex: 15, outputSampleRate: 44100, channelConfig: 2, channels: 2 },
  },
  {
    name: 'explicit frequency 12345 Hz',
    bytes: asc((w) => w.bits(5, 2).bits(4, 15).bits(24, 12345).bits(4, 1)),
    value: { objectType: 2, profileName: 'LC', coreObjectType: 2, sampleRate: 12345, samplingIndex: 15, outputSampleRate: 12345, channelConfig: 1, channels: 1 },
  },
];

for (const row of table) {
  test(`AudioSpecificConfig: ${row.name}`, () => {
    assert.deepEqual(parseAacConfig(row.bytes), row.value);
  });
}

test('AudioSpecificConfig: malformed input is CODEC_DECODE', () => {
  const bad = [
    fromHex(''),
    fromHex('12'),
    fromHex('0010'), // object type 0
    asc((w) => w.bits(5, 2).bits(4, 13).bits(4, 2)), // reserved index
    asc((w) => w.bits(5, 2).bits(4, 4).bits(4, 9)), // reserved channel configuration
    asc((w) => w.bits(5, 2).bits(4, 15).bits(10, 0)), // explicit rate cut short
    asc((w) => w.bits(5, 2).bits(4, 15).bits(24, 0).bits(4, 2)), // rate 0
  ];
  for (const b of bad) assert.throws(() => parseAacConfig(b), (e) => isSluiceError(e, 'CODEC_DECODE'), Buffer.from(b).toString('hex'));
});

test('AudioSpecificConfig: random bytes decode or throw CODEC_DECODE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 8 }), (b) => {
      try {
        const c = parseAacConfig(b);
        assert.ok(c.sampleRate > 0 && c.channelConfig <= 7);
      } catch (err) {
        assert.ok(isSluiceError(err, 'CODEC_DECODE'));
      }
    }),
    { numRuns: 3000 },
  );
});

// `ffmpeg -i av-1mbps.flv -vn -c:a copy -f adts` starts with this header; the first raw
// AAC frame of the file is 338 bytes.
const adtsTable: { name: string; config: Uint8Array; raw: number; bytes: string }[] = [
  { name: 'av-1mbps.flv first frame (as ffmpeg writes it)', config: fromHex('121056e500'), raw: 338, bytes: 'fff150802b3ffc' },
  { name: 'LC 48 kHz stereo, 0 bytes', config: fromHex('1190'), raw: 0, bytes: 'fff14c8000fffc' },
  { name: 'LC 7.1 (channel config bit split across bytes)', config: asc((w) => w.bits(5, 2).bits(4, 3).bits(4, 7)), raw: 100, bytes: 'fff14dc00d7ffc' },
  { name: 'HE-AAC goes out as its LC core', config: asc((w) => w.bits(5, 5).bits(4, 7).bits(4, 2).bits(4, 4).bits(5, 2)), raw: 8184, bytes: 'fff15c83fffffc' },
  { name: 'explicit 44100 maps to index 4', config: asc((w) => w.bits(5, 2).bits(4, 15).bits(24, 44100).bits(4, 2)), raw: 338, bytes: 'fff150802b3ffc' },
];

for (const row of adtsTable) {
  test(`ADTS header: ${row.name}`, () => {
    const cfg = parseAacConfig(row.config);
    assert.deepEqual(adtsHeader(cfg, row.raw), fromHex(row.bytes));
    const target = new Uint8Array(10);
    assert.equal(writeAdtsHeader(target, 3, cfg, row.raw), 10);
    assert.deepEqual(target.subarray(3), fromHex(row.bytes));
    // and back: the header fields say what went in
    const h = fromHex(row.bytes);
    assert.equal(((h[3]! & 3) << 11) | (h[4]! << 3) | (h[5]! >>> 5), row.raw + 7);
    assert.equal((h[2]! >>> 6) + 1, cfg.coreObjectType <= 4 ? cfg.coreObjectType : 2);
    assert.equal(((h[2]! & 1) << 2) | (h[3]! >>> 6), cfg.channelConfig);
  });
}

test('ADTS header: frames over 8191 bytes and rates with no index are CODEC_ENCODE', () => {
  const lc = parseAacConfig(fromHex('1210'));
  assert.throws(() => adtsHeader(lc, 8185), (e) => isSluiceError(e, 'CODEC_ENCODE'));
  const odd = parseAacConfig(asc((w) => w.bits(5, 2).bits(4, 15).bits(24, 12345).bits(4, 1)));
  assert.throws(() => adtsHeader(odd, 10), (e) => isSluiceError(e, 'CODEC_ENCODE'));
});
