// The MP4 reader against input it did not write: impossible sizes, truncation at every byte,
// single-byte corruption of real init segments and fragments, and random bytes. Each either
// decodes or throws SluiceError('MP4_DECODE'); nothing else, and nothing slow.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { FieldReader, readBoxes } from '../../src/net/mp4/box-reader.ts';
import { decodeEsds } from '../../src/net/mp4/esds.ts';
import { decodeTfdt, decodeTrun } from '../../src/net/mp4/fragment-boxes.ts';
import { Mp4Fragmenter } from '../../src/net/mp4/fragmenter.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';
import { aacTrack, opusTrack } from '../../src/net/mp4/track.ts';
import { fromHex } from '../helpers/bytes.ts';

const decodeError = (e: unknown): boolean => isSluiceError(e, 'MP4_DECODE');

function decodesOrRefuses(f: () => unknown, label: string): void {
  try {
    f();
  } catch (e) {
    assert.ok(decodeError(e), `${label}: ${String(e)}`);
  }
}

const OPUS_HEAD = Uint8Array.from([...Buffer.from('OpusHead'), 1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);
const fragmenter = new Mp4Fragmenter({ audio: aacTrack(fromHex('1190'), 1) });
for (let ms = 0; ms <= 200; ms += 21) fragmenter.pushAudio({ dts: ms, cts: 0, keyframe: true, data: Uint8Array.of(ms, 1, 2) });
const INIT = new Mp4Fragmenter({ audio: opusTrack(OPUS_HEAD, 1) }).initSegment();
const FRAGMENT = fragmenter.fragment(1000)!.bytes;

describe('mp4 reader, malformed boxes', () => {
  const table: { name: string; run: () => unknown }[] = [
    { name: 'box size below its header', run: () => readBoxes(fromHex('00000004 66726565')) },
    { name: 'box size past the end', run: () => readBoxes(fromHex('00000010 66726565 00')) },
    { name: 'stray bytes after the last box', run: () => readBoxes(fromHex('00000008 66726565 0000')) },
    { name: 'largesize truncated', run: () => readBoxes(fromHex('00000001 6d646174 0000')) },
    { name: 'largesize of 2^40', run: () => readBoxes(fromHex('00000001 6d646174 00000100 00000000')) },
    { name: 'field past the end of a body', run: () => new FieldReader(fromHex('0102')).u32() },
    { name: '64-bit field beyond 2^53', run: () => new FieldReader(fromHex('ffffffff ffffffff')).u64() },
    { name: 'tfdt version 2', run: () => decodeTfdt(fromHex('02000000 00000000')) },
    { name: 'trun count larger than its bytes', run: () => decodeTrun(fromHex('00000300 ffffffff 00000400')) },
    { name: 'trun of 4 billion default samples', run: () => decodeTrun(fromHex('00000000 ffffffff')) },
    { name: 'esds descriptor size over 4 bytes', run: () => decodeEsds(fromHex('00000000 03 8080808080 00')) },
    { name: 'esds that is not an ES_Descriptor', run: () => decodeEsds(fromHex('00000000 04 00')) },
    { name: 'init segment without moov', run: () => readInitSegment(fromHex('00000010 66747970 69736f36 00000000')) },
    {
      name: 'fragment whose data offset points outside the file',
      run: () => {
        const bad = Uint8Array.from(FRAGMENT);
        const at = Buffer.from(bad).indexOf('trun') + 12; // data_offset after version/flags and count
        new DataView(bad.buffer).setInt32(at, 1_000_000);
        return readFragments(bad);
      },
    },
  ];
  for (const row of table) it(`${row.name} is MP4_DECODE`, () => assert.throws(row.run, decodeError));

  it('a size-0 box runs to the end (14496-12 4.2)', () => {
    assert.deepEqual(readBoxes(fromHex('00000000 6d646174 010203')).map((b) => [b.type, b.size]), [['mdat', 11]]);
  });
});

describe('mp4 reader, cut and corrupted real output', () => {
  it('an init segment cut at every byte decodes or refuses', () => {
    for (let n = 0; n < INIT.length; n++) decodesOrRefuses(() => readInitSegment(INIT.subarray(0, n)), `init cut at ${n}`);
  });
  it('a fragment cut at every byte decodes or refuses', () => {
    for (let n = 0; n < FRAGMENT.length; n++) decodesOrRefuses(() => readFragments(FRAGMENT.subarray(0, n)), `fragment cut at ${n}`);
  });
  it('every byte of an init segment and a fragment set to 0x00, 0x80 and 0xff', () => {
    for (const [name, bytes, read] of [
      ['init', INIT, readInitSegment],
      ['fragment', FRAGMENT, readFragments],
    ] as const) {
      for (let i = 0; i < bytes.length; i++) {
        for (const v of [0x00, 0x80, 0xff]) {
          const bad = Uint8Array.from(bytes);
          bad[i] = v;
          decodesOrRefuses(() => read(bad), `${name}[${i}] = ${v}`);
        }
      }
    }
  });
  it('random bytes, and random bytes behind a valid box header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodesOrRefuses(() => readInitSegment(bytes), 'init');
        decodesOrRefuses(() => readFragments(bytes), 'fragments');
        const framed = Uint8Array.from([0, 0, 0, bytes.length + 8, ...Buffer.from('moof'), ...bytes].slice(0, 8 + bytes.length));
        if (bytes.length < 248) decodesOrRefuses(() => readFragments(framed), 'framed moof');
      }),
      { numRuns: 2000 },
    );
  });
});
