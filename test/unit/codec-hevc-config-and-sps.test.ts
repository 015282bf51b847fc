import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { BitWriter, escapeRbsp } from '../helpers/bit-writer.ts';
import { hevcLevelName, hevcProfileName, parseHevcConfig } from '../../src/net/codec/hevc.ts';
import { parseHevcSps } from '../../src/net/codec/hevc-sps.ts';
import { fromHex } from '../helpers/bytes.ts';

const isCodecError = (e: unknown): boolean => isSluiceError(e, 'CODEC_DECODE');

/**
 * A real hvcC: `ffmpeg -f lavfi -i testsrc2=size=854x480 -c:v libx265 -preset ultrafast`
 * into MP4 (x265 3.5), the hvcC box payload with its SEI array dropped (numOfArrays 4 -> 3).
 * ffprobe: hevc Main, level 90, 854x480. x265 codes 864 luma columns (min CU 16) and
 * crops 10 through the conformance window, so the width checks that path.
 */
const HVCC_854X480 = fromHex(
  '0101600000009000000000005af000fcfdf8f800000f03' +
    '200001001840010c01ffff01600000030090000003000003005a959409' +
    '210001002b42010101600000030090000003000003005aa006c201e1cde595952930bc05a02000000300200000030321' +
    '22000100064401c073c189',
);

test('hvcC: the x265 record decodes to Main 3, 854x480', () => {
  const cfg = parseHevcConfig(HVCC_854X480);
  assert.equal(cfg.profile, 1);
  assert.equal(cfg.profileName, 'Main');
  assert.equal(cfg.tier, 0);
  assert.equal(cfg.level, 90);
  assert.equal(cfg.levelName, '3');
  assert.equal(cfg.width, 854);
  assert.equal(cfg.height, 480);
  assert.equal(cfg.nalLengthSize, 4);
  assert.deepEqual([cfg.vps.length, cfg.sps.length, cfg.pps.length], [1, 1, 1]);
  assert.equal((cfg.vps[0]![0]! >>> 1) & 0x3f, 32);
  assert.equal((cfg.sps[0]![0]! >>> 1) & 0x3f, 33);
  assert.equal((cfg.pps[0]![0]! >>> 1) & 0x3f, 34);
});

test('hvcC: every truncation is CODEC_DECODE', () => {
  for (let n = 0; n < HVCC_854X480.length; n++) {
    assert.throws(() => parseHevcConfig(HVCC_854X480.subarray(0, n)), isCodecError, `length ${n}`);
  }
});

interface HevcSpsOpts {
  profile: number;
  tier?: number;
  level: number;
  subLayers?: { profile: boolean; level: boolean }[];
  chroma?: number;
  separatePlanes?: boolean;
  width: number;
  height: number;
  window?: [number, number, number, number];
}

/** An H.265 SPS written after 7.3.2.2 up to the conformance window (the rest is not read). */
function buildHevcSps(o: HevcSpsOpts): Uint8Array {
  const subs = o.subLayers ?? [];
  const w = new BitWriter();
  w.bits(16, 0x4201).bits(4, 0).bits(3, subs.length).bit(1);
  w.bits(2, 0).bits(1, o.tier ?? 0).bits(5, o.profile).bits(32, 2 ** (31 - o.profile));
  w.bits(48, 0x900000000000).bits(8, o.level);
  for (const s of subs) w.bit(s.profile).bit(s.level);
  if (subs.length > 0) for (let i = subs.length; i < 8; i++) w.bits(2, 0);
  for (const s of subs) {
    if (s.profile) w.bits(44, 0).bits(44, 1);
    if (s.level) w.bits(8, o.level);
  }
  w.ue(0);
  const chroma = o.chroma ?? 1;
  w.ue(chroma);
  if (chroma === 3) w.bit(o.separatePlanes ?? false);
  w.ue(o.width).ue(o.height);
  if (o.window) {
    w.bit(1);
    for (const v of o.window) w.ue(v);
  } else {
    w.bit(0);
  }
  w.ue(0).ue(0); // bit depths
  return escapeRbsp(w.trailing().finish());
}

/** HEVCDecoderConfigurationRecord around VPS/SPS/PPS, 4-byte NAL lengths. */
function buildHvcc(sps: Uint8Array, profile: number, level: number): Uint8Array {
  const vps = fromHex('40010c01ffff016000000300900000030000030078959409');
  const pps = fromHex('4401c172b46240');
  const head = [1, profile, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, level, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 3];
  const arrays: number[] = [];
  for (const [type, nal] of [[32, vps], [33, sps], [34, pps]] as const) {
    arrays.push(0x80 | type, 0, 1, nal.length >>> 8, nal.length & 0xff, ...nal);
  }
  return Uint8Array.from([...head, ...arrays]);
}

const spsTable: { name: string; opts: HevcSpsOpts; width: number; height: number; profileName: string; levelName: string }[] = [
  { name: 'Main 1080p: window bottom 4 in chroma rows', opts: { profile: 1, level: 123, width: 1920, height: 1088, window: [0, 0, 0, 4] }, width: 1920, height: 1080, profileName: 'Main', levelName: '4.1' },
  {
    name: 'Main 10 with 3 sub-layers in profile_tier_level',
    opts: { profile: 2, tier: 1, level: 150, subLayers: [{ profile: true, level: true }, { profile: false, level: true }], width: 3840, height: 2160 },
    width: 3840,
    height: 2160,
    profileName: 'Main 10',
    levelName: '5',
  },
  { name: '4:4:4 Rext: window in luma units', opts: { profile: 4, level: 93, chroma: 3, width: 1280, height: 720, window: [1, 2, 3, 4] }, width: 1277, height: 713, profileName: 'Rext', levelName: '3.1' },
  { name: '4:2:2: horizontal unit 2, vertical 1', opts: { profile: 4, level: 60, chroma: 2, width: 640, height: 368, window: [0, 2, 0, 8] }, width: 636, height: 360, profileName: 'Rext', levelName: '2' },
  { name: 'still picture profile, level 6.2', opts: { profile: 3, level: 186, width: 64, height: 64 }, width: 64, height: 64, profileName: 'Main Still Picture', levelName: '6.2' },
];

for (const row of spsTable) {
  test(`H.265 SPS: ${row.name} -> ${row.width}x${row.height}`, () => {
    const sps = buildHevcSps(row.opts);
    const parsed = parseHevcSps(sps);
    assert.deepEqual([parsed.width, parsed.height, parsed.profileIdc, parsed.levelIdc, parsed.tier], [row.width, row.height, row.opts.profile, row.opts.level, row.opts.tier ?? 0]);
    const cfg = parseHevcConfig(buildHvcc(sps, row.opts.profile, row.opts.level));
    assert.equal(cfg.profileName, row.profileName);
    assert.equal(cfg.levelName, row.levelName);
    assert.equal(cfg.width, row.width);
    for (let n = 0; n < sps.length; n++) {
      try {
        assert.equal(parseHevcSps(sps.subarray(0, n)).width, row.width);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
    }
  });
}

test('H.265 SPS: hostile inputs are CODEC_DECODE', () => {
  const bad = [
    fromHex('4001 0c01'), // a VPS
    fromHex('4201'),
    buildHevcSps({ profile: 1, level: 93, width: 100, height: 100, window: [30, 30, 0, 0] }),
    buildHevcSps({ profile: 1, level: 93, width: 0, height: 100 }),
    buildHevcSps({ profile: 1, level: 93, width: 1 << 20, height: 100 }),
  ];
  const zeros = new Uint8Array(4096);
  zeros.set([0x42, 0x01, 0x01]);
  bad.push(zeros); // ue() with endless leading zeros after profile_tier_level
  for (const sps of bad) assert.throws(() => parseHevcSps(sps), isCodecError, Buffer.from(sps.subarray(0, 16)).toString('hex'));
});

test('H.265: random SPS bodies and records throw only CODEC_DECODE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
      const nal = Uint8Array.from([0x42, 0x01, ...tail]);
      try {
        const p = parseHevcSps(nal);
        assert.ok(p.width > 0 && p.height > 0);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
      const rec = Uint8Array.from([...HVCC_854X480.subarray(0, 23), ...tail]);
      try {
        parseHevcConfig(rec);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
    }),
    { numRuns: 3000 },
  );
});

test('HEVC names', () => {
  assert.deepEqual([1, 2, 3, 4, 9].map(hevcProfileName), ['Main', 'Main 10', 'Main Still Picture', 'Rext', 'Other']);
  assert.deepEqual([30, 60, 63, 90, 93, 120, 123, 153, 186].map(hevcLevelName), ['1', '2', '2.1', '3', '3.1', '4', '4.1', '5.1', '6.2']);
});
