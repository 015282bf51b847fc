import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { avcLevelName, avcProfileName, parseAvcConfig } from '../../src/net/codec/avc.ts';
import { buildAvcConfig } from '../helpers/avc-config-record.ts';
import { parseAvcSps } from '../../src/net/codec/avc-sps.ts';
import { unescapeRbsp } from '../../src/net/codec/bit-reader.ts';
import { BitWriter, escapeRbsp } from '../helpers/bit-writer.ts';
import { fromHex } from '../helpers/bytes.ts';

const isCodecError = (e: unknown): boolean => isSluiceError(e, 'CODEC_DECODE');

// The sequence header of av-200kbps.flv (x264, Constrained Baseline 3.0, 640x360), after
// the 5-byte FLV video header. Its SPS carries emulation-prevention bytes (00 00 03).
const AVCC_200K = fromHex(
  '0142c01effe10022 6742c01eda0280bfe5c044000003000400000300c98100084d00109b928801e2c5d4 01 0004 68ce3c80',
);

test('avcC: the av-200kbps.flv record decodes', () => {
  const cfg = parseAvcConfig(AVCC_200K);
  assert.equal(cfg.profile, 66);
  assert.equal(cfg.profileName, 'Constrained Baseline');
  assert.equal(cfg.compatibility, 0xc0);
  assert.equal(cfg.level, 30);
  assert.equal(cfg.levelName, '3');
  assert.equal(cfg.width, 640);
  assert.equal(cfg.height, 360);
  assert.equal(cfg.nalLengthSize, 4);
  assert.deepEqual(cfg.sps, [AVCC_200K.subarray(8, 8 + 0x22)]);
  assert.deepEqual(cfg.pps, [fromHex('68ce3c80')]);
  assert.ok(!(cfg.sps[0]!.buffer === AVCC_200K.buffer), 'parameter sets are copies');
});

test('avcC: the parsed parameter sets rebuild the same record', () => {
  const cfg = parseAvcConfig(AVCC_200K);
  assert.deepEqual(buildAvcConfig(cfg.sps, cfg.pps, 4), AVCC_200K);
});

test('avcC: every truncation and bad version is CODEC_DECODE', () => {
  for (let n = 0; n < AVCC_200K.length; n++) {
    const cut = AVCC_200K.subarray(0, n);
    // Without the PPS count the record still holds its SPS: that much is tolerated.
    if (n === 0x2a) {
      assert.equal(parseAvcConfig(cut).pps.length, 0);
      continue;
    }
    assert.throws(() => parseAvcConfig(cut), isCodecError, `length ${n}`);
  }
  const v0 = Uint8Array.from(AVCC_200K);
  v0[0] = 0;
  assert.throws(() => parseAvcConfig(v0), isCodecError);
  const noSps = Uint8Array.from(AVCC_200K);
  noSps[5] = 0xe0;
  assert.throws(() => parseAvcConfig(noSps), isCodecError);
  const len3 = Uint8Array.from(AVCC_200K);
  len3[4] = 0xfe;
  assert.throws(() => parseAvcConfig(len3), isCodecError);
});

interface SpsOpts {
  profile: number;
  constraint?: number;
  level?: number;
  chroma?: number;
  separatePlanes?: boolean;
  scaling?: boolean;
  pocType?: number;
  widthMbs: number;
  heightMapUnits: number;
  frameMbsOnly?: boolean;
  crop?: [number, number, number, number];
}

const HIGH = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** An SPS written field by field after H.264 7.3.2.1.1 (VUI absent). */
function buildSps(o: SpsOpts): Uint8Array {
  const w = new BitWriter();
  w.bits(8, 0x67).bits(8, o.profile).bits(8, o.constraint ?? 0).bits(8, o.level ?? 31).ue(0);
  const chroma = o.chroma ?? 1;
  if (HIGH.has(o.profile)) {
    w.ue(chroma);
    if (chroma === 3) w.bit(o.separatePlanes ?? false);
    w.ue(0).ue(0).bit(0).bit(o.scaling ?? false);
    if (o.scaling) {
      for (let i = 0; i < (chroma !== 3 ? 8 : 12); i++) {
        if (i === 1) {
          w.bit(1).se(-8); // next scale 0 at once: useDefaultScalingMatrixFlag
        } else if (i % 2 === 0) {
          w.bit(1);
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) w.se(1);
        } else {
          w.bit(0);
        }
      }
    }
  }
  w.ue(0); // log2_max_frame_num_minus4
  const poc = o.pocType ?? 0;
  w.ue(poc);
  if (poc === 0) w.ue(2);
  if (poc === 1) w.bit(0).se(-3).se(2).ue(2).se(1).se(-1);
  w.ue(4).bit(0).ue(o.widthMbs - 1).ue(o.heightMapUnits - 1);
  const frameMbsOnly = o.frameMbsOnly ?? true;
  w.bit(frameMbsOnly);
  if (!frameMbsOnly) w.bit(1);
  w.bit(1);
  if (o.crop) {
    w.bit(1);
    for (const c of o.crop) w.ue(c);
  } else {
    w.bit(0);
  }
  w.bit(0); // vui_parameters_present_flag
  return escapeRbsp(w.trailing().finish());
}

const spsTable: { name: string; opts: SpsOpts; width: number; height: number; profileName: string }[] = [
  { name: 'Baseline QCIF', opts: { profile: 66, widthMbs: 11, heightMapUnits: 9 }, width: 176, height: 144, profileName: 'Baseline' },
  { name: 'Main 1080p, bottom crop 4', opts: { profile: 77, widthMbs: 120, heightMapUnits: 68, crop: [0, 0, 0, 4] }, width: 1920, height: 1080, profileName: 'Main' },
  {
    name: 'High 1080i: field coding doubles map units and crop units',
    opts: { profile: 100, scaling: true, pocType: 1, widthMbs: 120, heightMapUnits: 34, frameMbsOnly: false, crop: [0, 0, 0, 2] },
    width: 1920,
    height: 1080,
    profileName: 'High',
  },
  {
    name: 'High 4:4:4 with 12 scaling lists: crop units of 1',
    opts: { profile: 244, chroma: 3, scaling: true, pocType: 2, widthMbs: 80, heightMapUnits: 45, crop: [0, 8, 0, 0] },
    width: 1272,
    height: 720,
    profileName: 'High 4:4:4 Predictive',
  },
  {
    name: 'High 4:4:4 separate colour planes: ChromaArrayType 0',
    opts: { profile: 244, chroma: 3, separatePlanes: true, widthMbs: 80, heightMapUnits: 45, crop: [2, 0, 1, 0] },
    width: 1278,
    height: 719,
    profileName: 'High 4:4:4 Predictive',
  },
  {
    name: 'High monochrome, interlaced',
    opts: { profile: 100, chroma: 0, widthMbs: 40, heightMapUnits: 15, frameMbsOnly: false, crop: [0, 0, 1, 0] },
    width: 640,
    height: 478,
    profileName: 'High',
  },
  {
    name: 'High 4:2:2: horizontal crop unit 2, vertical 1',
    opts: { profile: 122, chroma: 2, widthMbs: 40, heightMapUnits: 23, crop: [1, 1, 0, 8] },
    width: 636,
    height: 360,
    profileName: 'High 4:2:2',
  },
  {
    name: 'Constrained High, level 5.1',
    opts: { profile: 100, constraint: 0x0c, level: 51, widthMbs: 240, heightMapUnits: 135 },
    width: 3840,
    height: 2160,
    profileName: 'Constrained High',
  },
];

for (const row of spsTable) {
  test(`SPS: ${row.name} -> ${row.width}x${row.height}`, () => {
    const sps = buildSps(row.opts);
    const parsed = parseAvcSps(sps);
    assert.equal(parsed.width, row.width);
    assert.equal(parsed.height, row.height);
    assert.equal(parsed.profileIdc, row.opts.profile);
    assert.equal(parsed.frameMbsOnly, row.opts.frameMbsOnly ?? true);
    const cfg = parseAvcConfig(buildAvcConfig([sps], [fromHex('68ce3c80')]));
    assert.equal(cfg.profileName, row.profileName);
    assert.equal(cfg.width, row.width);
  });

  test(`SPS: ${row.name}, every truncation parses the same or is CODEC_DECODE`, () => {
    const sps = buildSps(row.opts);
    for (let n = 0; n < sps.length; n++) {
      try {
        const p = parseAvcSps(sps.subarray(0, n));
        assert.equal(p.width, row.width);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
    }
  });
}

test('SPS: an exp-Golomb code longer than 32 bits is CODEC_DECODE, not a long scan', () => {
  const zeros = new Uint8Array(1 << 20);
  zeros.set([0x67, 0x64, 0, 0x1f]);
  assert.throws(() => parseAvcSps(zeros), isCodecError);
});

test('SPS: out-of-range fields are CODEC_DECODE', () => {
  const bad = [
    buildSps({ profile: 100, chroma: 3, widthMbs: 80, heightMapUnits: 45, crop: [700, 700, 0, 0] }), // crop > width
    buildSps({ profile: 66, widthMbs: 5000, heightMapUnits: 45 }), // absurd width
    fromHex('6764001f' + 'a0'), // chroma_format_idc 4... then truncated
    fromHex('68ce3c80'), // a PPS, not an SPS
    fromHex('67'),
  ];
  // chroma_format_idc = 4 written explicitly
  bad.push(new BitWriter().bits(8, 0x67).bits(8, 100).bits(8, 0).bits(8, 31).ue(0).ue(4).trailing().finish());
  // num_ref_frames_in_pic_order_cnt_cycle = 1000
  bad.push(new BitWriter().bits(8, 0x67).bits(8, 66).bits(8, 0).bits(8, 31).ue(0).ue(0).ue(1).bit(0).se(0).se(0).ue(1000).trailing().finish());
  for (const sps of bad) assert.throws(() => parseAvcSps(sps), isCodecError, Buffer.from(sps).toString('hex'));
});

test('SPS: random bytes after an SPS header throw only CODEC_DECODE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
      const nal = new Uint8Array(tail.length + 1);
      nal[0] = 0x67;
      nal.set(tail, 1);
      try {
        const p = parseAvcSps(nal);
        assert.ok(p.width > 0 && p.height > 0);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
      try {
        parseAvcConfig(tail);
      } catch (err) {
        assert.ok(isCodecError(err), String(err));
      }
    }),
    { numRuns: 3000 },
  );
});

const unescapeTable = [
  { rbsp: '000001', nal: '00000301' },
  { rbsp: '00000000', nal: '0000030000' },
  { rbsp: '0003', nal: '0003' },
  { rbsp: '000003', nal: '00000303' },
  { rbsp: '00000003', nal: '0000030003' },
  { rbsp: '6742', nal: '6742' },
];
for (const row of unescapeTable) {
  test(`emulation prevention: ${row.nal} <-> ${row.rbsp}`, () => {
    assert.deepEqual(unescapeRbsp(fromHex(row.nal)), fromHex(row.rbsp));
    assert.deepEqual(escapeRbsp(fromHex(row.rbsp)), fromHex(row.nal));
  });
}

test('emulation prevention: escape then unescape is the identity', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }).map((a) => a.map((x) => x & 0x03)), (rbsp) => {
      assert.deepEqual(unescapeRbsp(escapeRbsp(rbsp)), rbsp);
    }),
  );
});

const nameTable: [number, number, number, string, string][] = [
  [66, 0x00, 30, 'Baseline', '3'],
  [66, 0x40, 31, 'Constrained Baseline', '3.1'],
  [66, 0x50, 11, 'Constrained Baseline', '1b'],
  [77, 0x00, 9, 'Main', '1b'],
  [77, 0x00, 40, 'Main', '4'],
  [88, 0, 21, 'Extended', '2.1'],
  [100, 0, 42, 'High', '4.2'],
  [110, 0, 50, 'High 10', '5'],
  [110, 0x10, 50, 'High 10 Intra', '5'],
  [122, 0, 52, 'High 4:2:2', '5.2'],
  [244, 0, 62, 'High 4:4:4 Predictive', '6.2'],
  [44, 0, 31, 'CAVLC 4:4:4', '3.1'],
  [118, 0, 31, 'Other', '3.1'],
];
for (const [profile, compat, level, pname, lname] of nameTable) {
  test(`AVC names: profile ${profile}/0x${compat.toString(16)} level ${level} -> ${pname} ${lname}`, () => {
    assert.equal(avcProfileName(profile, compat), pname);
    assert.equal(avcLevelName(level, profile, compat), lname);
  });
}
