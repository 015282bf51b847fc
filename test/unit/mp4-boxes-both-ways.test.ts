// Every box the fMP4 muxer writes, as a table of { name, bytes, value } laid out by hand from
// ISO/IEC 14496-12 (and 14496-14 for esds, the Opus-in-ISOBMFF spec for dOps): encoding the
// value gives exactly the bytes, decoding the bytes gives back the value. Rows marked
// decodeOnly are forms other writers use (version 0 boxes, padded descriptor sizes) that
// the reader must accept but the writer never produces.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoxWriter } from '../../src/net/mp4/box-writer.ts';
import { boxAt, childBoxes, readBoxes } from '../../src/net/mp4/box-reader.ts';
import { writeInitSegment } from '../../src/net/mp4/init-segment.ts';
import { aacTrack } from '../../src/net/mp4/track.ts';
import { decodeDops, encodeDops } from '../../src/net/mp4/dops.ts';
import { decodeEsds, encodeEsds } from '../../src/net/mp4/esds.ts';
import { decodeMfhd, decodeTfdt, decodeTfhd, decodeTrun, encodeMfhd, encodeTfdt, encodeTfhd, encodeTrun } from '../../src/net/mp4/fragment-boxes.ts';
import {
  decodeFileType,
  decodeHdlr,
  decodeMdhd,
  decodeMvhd,
  decodeTkhd,
  decodeTrex,
  encodeFileType,
  encodeHdlr,
  encodeMdhd,
  encodeMvhd,
  encodeTkhd,
  encodeTrex,
} from '../../src/net/mp4/movie-boxes.ts';
import { decodeStsd, encodeStsd } from '../../src/net/mp4/sample-entries.ts';
import { fromHex } from '../helpers/bytes.ts';

const MATRIX = '00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000';
const Z = (n: number): string => '00'.repeat(n);

type Row = { name: string; bytes: Uint8Array; value: unknown; encode: (w: BoxWriter, v: any) => void; decode: (body: Uint8Array) => unknown; decodeOnly?: boolean };

const ESDS_AAC_LC_48K = {
  esId: 0,
  objectTypeIndication: 0x40,
  bufferSizeDB: 0,
  maxBitrate: 0,
  avgBitrate: 0,
  decoderSpecificInfo: fromHex('1190'),
};
const ESDS_BYTES = '00000027 65736473 00000000' + '03 19 0000 00' + '04 11 40 15 000000 00000000 00000000' + '05 02 1190' + '06 01 02';
const DOPS_STEREO = { outputChannelCount: 2, preSkip: 312, inputSampleRate: 48000, outputGain: 0, channelMappingFamily: 0 };
const DOPS_BYTES = '00000013 644f7073 00 02 0138 0000bb80 0000 00';

const rows: Row[] = [
  {
    name: 'ftyp iso6 with iso6, mp41',
    bytes: fromHex('00000018 66747970 69736f36 00000000 69736f36 6d703431'),
    value: { majorBrand: 'iso6', minorVersion: 0, compatibleBrands: ['iso6', 'mp41'] },
    encode: (w, v) => encodeFileType(w, 'ftyp', v),
    decode: decodeFileType,
  },
  {
    name: 'styp msdh',
    bytes: fromHex('00000018 73747970 6d736468 00000000 6d736468 69736f36'),
    value: { majorBrand: 'msdh', minorVersion: 0, compatibleBrands: ['msdh', 'iso6'] },
    encode: (w, v) => encodeFileType(w, 'styp', v),
    decode: decodeFileType,
  },
  {
    name: 'mvhd: timescale 1000, next track 3',
    bytes: fromHex(`0000006c 6d766864 00000000 00000000 00000000 000003e8 00000000 00010000 0100 ${Z(10)} ${MATRIX} ${Z(24)} 00000003`),
    value: { timescale: 1000, nextTrackId: 3 },
    encode: encodeMvhd,
    decode: decodeMvhd,
  },
  {
    name: 'tkhd video 854x480 (16.16 size, enabled + in movie)',
    bytes: fromHex(`0000005c 746b6864 00000003 00000000 00000000 00000001 00000000 00000000 ${Z(8)} 0000 0000 0000 0000 ${MATRIX} 03560000 01e00000`),
    value: { trackId: 1, audio: false, width: 854, height: 480 },
    encode: encodeTkhd,
    decode: decodeTkhd,
  },
  {
    name: 'tkhd audio (volume 1.0, no size)',
    bytes: fromHex(`0000005c 746b6864 00000003 00000000 00000000 00000002 00000000 00000000 ${Z(8)} 0000 0000 0100 0000 ${MATRIX} 00000000 00000000`),
    value: { trackId: 2, audio: true, width: 0, height: 0 },
    encode: encodeTkhd,
    decode: decodeTkhd,
  },
  {
    name: "mdhd 90 kHz, language 'und' packed as 0x55c4",
    bytes: fromHex('00000020 6d646864 00000000 00000000 00000000 00015f90 00000000 55c4 0000'),
    value: { timescale: 90000, language: 'und' },
    encode: encodeMdhd,
    decode: decodeMdhd,
  },
  {
    name: 'mdhd version 1 (64-bit times) from another writer',
    bytes: fromHex('0000002c 6d646864 01000000 0000000000000000 0000000000000000 0000ac44 0000000000000000 15c7 0000'),
    value: { timescale: 44100, language: 'eng' },
    encode: encodeMdhd,
    decode: decodeMdhd,
    decodeOnly: true,
  },
  {
    name: 'hdlr vide, null-terminated name',
    bytes: fromHex(`0000002d 68646c72 00000000 00000000 76696465 ${Z(12)} 566964656f48616e646c6572 00`),
    value: { handlerType: 'vide', name: 'VideoHandler' },
    encode: encodeHdlr,
    decode: decodeHdlr,
  },
  {
    name: 'trex: track 2, description 1, no defaults',
    bytes: fromHex('00000020 74726578 00000000 00000002 00000001 00000000 00000000 00000000'),
    value: { trackId: 2, defaultSampleDescriptionIndex: 1, defaultSampleDuration: 0, defaultSampleSize: 0, defaultSampleFlags: 0 },
    encode: encodeTrex,
    decode: decodeTrex,
  },
  {
    name: 'mfhd sequence 7',
    bytes: fromHex('00000010 6d666864 00000000 00000007'),
    value: 7,
    encode: encodeMfhd,
    decode: decodeMfhd,
  },
  {
    name: 'tfhd video: default-base-is-moof only',
    bytes: fromHex('00000010 74666864 00020000 00000001'),
    value: { trackId: 1, defaultBaseIsMoof: true },
    encode: encodeTfhd,
    decode: decodeTfhd,
  },
  {
    name: 'tfhd audio: default-base-is-moof + default sample flags (sync)',
    bytes: fromHex('00000014 74666864 00020020 00000002 02000000'),
    value: { trackId: 2, defaultBaseIsMoof: true, defaultSampleFlags: 0x0200_0000 },
    encode: encodeTfhd,
    decode: decodeTfhd,
  },
  {
    name: 'tfhd with every optional field (64-bit base offset 2^32)',
    bytes: fromHex('00000028 74666864 0001003b 00000001 0000000100000000 00000001 00000bb8 00000064 01010000'),
    value: {
      trackId: 1,
      defaultBaseIsMoof: false,
      durationIsEmpty: true,
      baseDataOffset: 2 ** 32,
      sampleDescriptionIndex: 1,
      defaultSampleDuration: 3000,
      defaultSampleSize: 100,
      defaultSampleFlags: 0x0101_0000,
    },
    encode: encodeTfhd,
    decode: decodeTfhd,
  },
  {
    name: 'tfdt version 1: a decode time past 2^32 (13.3 h at 90 kHz)',
    bytes: fromHex('00000014 74666474 01000000 00000001 00000005'),
    value: 2 ** 32 + 5,
    encode: encodeTfdt,
    decode: decodeTfdt,
  },
  {
    name: 'tfdt version 0 from another writer',
    bytes: fromHex('00000010 74666474 00000000 00015f90'),
    value: 90000,
    encode: encodeTfdt,
    decode: decodeTfdt,
    decodeOnly: true,
  },
  {
    name: 'trun video, version 1: duration, size, flags, signed composition offsets',
    bytes: fromHex(
      '00000034 7472756e 01000f01 00000002 00000070' +
        '00000bb8 0000000a 02000000 00001770' + // keyframe, pts 6000 ticks after dts
        '00000bb8 00000005 01010000 fffff448', // non-sync, offset -3000
    ),
    value: {
      dataOffset: 0x70,
      samples: [
        { duration: 3000, size: 10, flags: 0x0200_0000, compositionOffset: 6000 },
        { duration: 3000, size: 5, flags: 0x0101_0000, compositionOffset: -3000 },
      ],
    },
    encode: encodeTrun,
    decode: decodeTrun,
  },
  {
    name: 'trun audio, version 0: duration and size only',
    bytes: fromHex('00000024 7472756e 00000301 00000002 000000c8 00000400 0000012c 000003ff 0000012d'),
    value: { dataOffset: 200, samples: [{ duration: 1024, size: 300 }, { duration: 1023, size: 301 }] },
    encode: encodeTrun,
    decode: decodeTrun,
  },
  {
    name: 'trun version 0 with first-sample flags and an unsigned offset of 2^31',
    bytes: fromHex('0000001c 7472756e 00000805 00000001 00000010 02000000 80000000'),
    value: { dataOffset: 16, firstSampleFlags: 0x0200_0000, samples: [{ compositionOffset: 2 ** 31 }] },
    encode: encodeTrun,
    decode: decodeTrun,
    decodeOnly: true,
  },
  {
    name: 'esds: AAC-LC 48 kHz stereo AudioSpecificConfig 1190',
    bytes: fromHex(ESDS_BYTES),
    value: ESDS_AAC_LC_48K,
    encode: encodeEsds,
    decode: decodeEsds,
  },
  {
    name: "esds with ffmpeg's padded 4-byte descriptor sizes",
    bytes: fromHex('00000033 65736473 00000000' + '03 80808022 0000 00' + '04 80808014 40 15 000000 00000000 00000000' + '05 80808002 1190' + '06 80808001 02'),
    value: ESDS_AAC_LC_48K,
    encode: encodeEsds,
    decode: decodeEsds,
    decodeOnly: true,
  },
  {
    name: 'dOps stereo, family 0 (big-endian OpusHead fields, version 0)',
    bytes: fromHex(DOPS_BYTES),
    value: DOPS_STEREO,
    encode: encodeDops,
    decode: decodeDops,
  },
  {
    name: 'dOps 5.1, family 1 with its mapping table',
    bytes: fromHex('0000001b 644f7073 00 06 0138 0000bb80 fffe 01 04 02 000401020305'),
    value: {
      outputChannelCount: 6,
      preSkip: 312,
      inputSampleRate: 48000,
      outputGain: -2,
      channelMappingFamily: 1,
      mapping: { streamCount: 4, coupledCount: 2, channelMapping: [0, 4, 1, 2, 3, 5] },
    },
    encode: encodeDops,
    decode: decodeDops,
  },
  {
    name: 'stsd with avc1 854x480 + avcC (record copied as is)',
    bytes: fromHex(
      '00000073 73747364 00000000 00000001' +
        `00000063 61766331 ${Z(6)} 0001 ${Z(16)} 0356 01e0 00480000 00480000 00000000 0001 ${Z(32)} 0018 ffff` +
        '0000000d 61766343 01640028ff',
    ),
    value: { format: 'avc1', width: 854, height: 480, config: fromHex('01640028ff') },
    encode: encodeStsd,
    decode: (body) => decodeStsd({ type: 'stsd', start: 0, size: body.length + 8, headerSize: 8, body }),
  },
  {
    name: 'stsd with mp4a 48 kHz stereo + esds',
    bytes: fromHex(`0000005b 73747364 00000000 00000001 0000004b 6d703461 ${Z(6)} 0001 ${Z(8)} 0002 0010 0000 0000 bb800000 ${ESDS_BYTES}`),
    value: { format: 'mp4a', channelCount: 2, sampleRate: 48000, esds: ESDS_AAC_LC_48K },
    encode: encodeStsd,
    decode: (body) => decodeStsd({ type: 'stsd', start: 0, size: body.length + 8, headerSize: 8, body }),
  },
  {
    name: 'stsd with Opus + dOps',
    bytes: fromHex(`00000047 73747364 00000000 00000001 00000037 4f707573 ${Z(6)} 0001 ${Z(8)} 0002 0010 0000 0000 bb800000 ${DOPS_BYTES}`),
    value: { format: 'Opus', channelCount: 2, sampleRate: 48000, dops: DOPS_STEREO },
    encode: encodeStsd,
    decode: (body) => decodeStsd({ type: 'stsd', start: 0, size: body.length + 8, headerSize: 8, body }),
  },
];

describe('mp4 boxes, bytes to value', () => {
  for (const row of rows) {
    it(row.name, () => {
      const [box] = readBoxes(row.bytes);
      assert.equal(box!.size, row.bytes.length, 'one box spanning the row');
      assert.deepEqual(row.decode(box!.body), row.value);
    });
  }
});

describe('mp4 boxes, value to bytes', () => {
  for (const row of rows.filter((r) => r.decodeOnly !== true)) {
    it(row.name, () => {
      const w = new BoxWriter(16);
      row.encode(w, row.value);
      assert.equal(Buffer.from(w.finish()).toString('hex'), Buffer.from(row.bytes).toString('hex'));
    });
  }
});

// The boxes of an init segment that carry no values: checked where writeInitSegment puts them.
describe('mp4 fixed boxes inside init.mp4', () => {
  // Track 0 is audio (smhd); track 1 is made a video track (vmhd) whatever its sample entry,
  // which does not matter for these boxes.
  const init = writeInitSegment([aacTrack(fromHex('1190'), 2), { ...aacTrack(fromHex('1190'), 1), kind: 'video', width: 2, height: 2 }]);
  const boxAtPath = (trak: number, path: string[]): string => {
    const traks = childBoxes(readBoxes(init).find((b) => b.type === 'moov')!).filter((b) => b.type === 'trak');
    const minf = boxAt(childBoxes(traks[trak]!), ['mdia', 'minf']);
    const box = boxAt(childBoxes(minf), path);
    return hexOf(box);
  };
  const hexOf = (b: { type: string; body: Uint8Array; size: number }): string =>
    Buffer.concat([Buffer.from([b.size >>> 24, (b.size >>> 16) & 0xff, (b.size >>> 8) & 0xff, b.size & 0xff]), Buffer.from(b.type, 'latin1'), b.body]).toString('hex');
  const table: [string, number, string[], string][] = [
    ['smhd: balance 0', 0, ['smhd'], '00000010 736d6864 00000000 0000 0000'],
    ['vmhd: flags 1, graphicsmode copy, opcolor 0', 1, ['vmhd'], '00000014 766d6864 00000001 0000 000000000000'],
    ["dinf/dref: one 'url ' entry, flag 1 (media in this file)", 0, ['dinf'], '00000024 64696e66 0000001c 64726566 00000000 00000001 0000000c 75726c20 00000001'],
    ['stts: no entries', 0, ['stbl', 'stts'], '00000010 73747473 00000000 00000000'],
    ['stsc: no entries', 0, ['stbl', 'stsc'], '00000010 73747363 00000000 00000000'],
    ['stsz: sample size 0, no samples', 0, ['stbl', 'stsz'], '00000014 7374737a 00000000 00000000 00000000'],
    ['stco: no entries', 0, ['stbl', 'stco'], '00000010 7374636f 00000000 00000000'],
  ];
  for (const [name, trak, path, bytes] of table) {
    it(name, () => assert.equal(boxAtPath(trak, path), Buffer.from(fromHex(bytes)).toString('hex')));
  }
});
