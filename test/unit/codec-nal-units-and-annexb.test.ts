import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { h264NalType, h265NalType, hasAud, nextNalUnit, splitNalUnits } from '../../src/net/codec/nal.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { parseAvcConfig } from '../../src/net/codec/avc.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { fromHex } from '../helpers/bytes.ts';
import { avccToAnnexB, H264_AUD, H265_AUD, nalUnitsToAvcc, splitAnnexB } from '../helpers/annexb.ts';

const isCodecError = (e: unknown): boolean => isSluiceError(e, 'CODEC_DECODE');

const table: { name: string; size: number; avcc: string; units: string[]; annexB: string }[] = [
  { name: 'two units, 4-byte lengths', size: 4, avcc: '00000002 0910 00000003 658884', units: ['0910', '658884'], annexB: '00000001 0910 00000001 658884' },
  { name: '2-byte lengths', size: 2, avcc: '0001 06 0002 4101', units: ['06', '4101'], annexB: '00000001 06 00000001 4101' },
  { name: '1-byte lengths', size: 1, avcc: '01 67 01 68', units: ['67', '68'], annexB: '00000001 67 00000001 68' },
  { name: '3-byte lengths', size: 3, avcc: '000001 65', units: ['65'], annexB: '00000001 65' },
  { name: 'empty payload', size: 4, avcc: '', units: [], annexB: '' },
  { name: 'zero-length units are dropped', size: 4, avcc: '00000000 00000001 41', units: ['41'], annexB: '00000001 41' },
];

for (const row of table) {
  test(`NAL units: ${row.name}, both ways`, () => {
    const avcc = fromHex(row.avcc);
    const units = splitNalUnits(avcc, row.size);
    assert.deepEqual(units, row.units.map(fromHex));
    assert.deepEqual(avccToAnnexB(avcc, row.size), fromHex(row.annexB));
    assert.deepEqual(splitAnnexB(fromHex(row.annexB)), row.units.map(fromHex));
    if (!row.avcc.includes('00000000')) assert.deepEqual(nalUnitsToAvcc(units, row.size), avcc);
  });
}

test('NAL units: prefix units go first with their own start codes', () => {
  const out = avccToAnnexB(fromHex('00000002 4101'), 4, [H264_AUD, fromHex('6742'), fromHex('68ce')]);
  assert.deepEqual(out, fromHex('00000001 09f0 00000001 6742 00000001 68ce 00000001 4101'));
});

test('NAL units: Annex B with 3-byte start codes and trailing zeros', () => {
  assert.deepEqual(splitAnnexB(fromHex('000001 09f0 0000000001 6742 00 000001 68')), [fromHex('09f0'), fromHex('6742'), fromHex('68')]);
  assert.deepEqual(splitAnnexB(fromHex('')), []);
  assert.deepEqual(splitAnnexB(fromHex('1234')), []);
});

test('NAL units: overruns and bad length sizes are CODEC_DECODE', () => {
  assert.throws(() => splitNalUnits(fromHex('00000005 4101'), 4), isCodecError);
  assert.throws(() => splitNalUnits(fromHex('0000'), 4), isCodecError);
  assert.throws(() => splitNalUnits(fromHex('01 41'), 5), isCodecError);
  assert.throws(() => avccToAnnexB(fromHex('ffffffff 41'), 4), isCodecError);
  assert.throws(() => hasAud(fromHex('02 09'), 1, 'H264'), isCodecError);
  assert.throws(() => nextNalUnit(fromHex('00'), 0, 2), isCodecError);
  assert.throws(() => nalUnitsToAvcc([new Uint8Array(256)], 1), RangeError);
});

test('NAL types and access unit delimiters', () => {
  assert.deepEqual([0x67, 0x68, 0x65, 0x41, 0x09, 0x06].map(h264NalType), [7, 8, 5, 1, 9, 6]);
  assert.deepEqual([0x40, 0x42, 0x44, 0x26, 0x46, 0x02].map(h265NalType), [32, 33, 34, 19, 35, 1]);
  assert.equal(hasAud(nalUnitsToAvcc([H264_AUD, fromHex('65')]), 4, 'H264'), true);
  assert.equal(hasAud(nalUnitsToAvcc([fromHex('65')]), 4, 'H264'), false);
  assert.equal(hasAud(nalUnitsToAvcc([H265_AUD, fromHex('2601')]), 4, 'H265'), true);
  assert.equal(hasAud(nalUnitsToAvcc([H264_AUD]), 4, 'H265'), false);
});

test('NAL units: every frame of av-1mbps.flv splits; keyframes hold an IDR slice', () => {
  const video = readFlvFile(readFileSync('/work/shared/media/av-1mbps.flv')).tags.filter((t) => t.type === 9);
  const cfg = parseAvcConfig(video[0]!.data.subarray(5));
  let idr = 0;
  for (const t of video) {
    const info = parseVideoTag(t.data);
    if (info.packetType !== 1) continue;
    const payload = t.data.subarray(info.headerLength);
    const units = splitNalUnits(payload, cfg.nalLengthSize);
    assert.ok(units.length > 0);
    const types = units.map((u) => h264NalType(u[0]!));
    if (info.keyframe) {
      assert.ok(types.includes(5));
      idr++;
    } else {
      assert.ok(!types.includes(5));
    }
    const annexB = avccToAnnexB(payload, cfg.nalLengthSize, info.keyframe ? [H264_AUD, ...cfg.sps, ...cfg.pps] : [H264_AUD]);
    assert.equal(annexB.length, payload.length + (info.keyframe ? 6 + cfg.sps[0]!.length + 4 + cfg.pps[0]!.length + 4 : 6));
  }
  assert.equal(idr, 15);
});

test('NAL units: length-prefixed and Annex B forms round-trip', () => {
  // Units as an encoder emits them: no start-code patterns inside, no trailing zero byte.
  const unit = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((u) => {
    const x = u.map((b) => (b < 4 ? b + 4 : b));
    return x;
  });
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 8 }), fc.constantFrom(1, 2, 4), (units, size) => {
      const avcc = nalUnitsToAvcc(units, size);
      assert.deepEqual(splitNalUnits(avcc, size), units);
      assert.deepEqual(splitAnnexB(avccToAnnexB(avcc, size)), units);
    }),
  );
});

test('NAL units: random payloads split or throw CODEC_DECODE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2, 3, 4), (b, size) => {
      try {
        splitNalUnits(b, size);
        avccToAnnexB(b, size);
        hasAud(b, size, 'H264');
      } catch (err) {
        assert.ok(isCodecError(err));
      }
      splitAnnexB(b);
    }),
    { numRuns: 3000 },
  );
});
