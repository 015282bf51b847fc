// The codec parsers called directly on raw bytes: the first byte picks the parser.
// The configuration parsers may throw SluiceError; the tag parsers must not throw at
// all, whether they fill a new object or reuse one (as the stream source does per packet).
import { parseAacConfig } from '../../../src/net/codec/aac.ts';
import { createAudioTagInfo, parseAudioTag } from '../../../src/net/codec/audio-tag.ts';
import { parseAv1Config } from '../../../src/net/codec/av1.ts';
import { parseAvcSps } from '../../../src/net/codec/avc-sps.ts';
import { parseAvcConfig } from '../../../src/net/codec/avc.ts';
import { parseHevcSps } from '../../../src/net/codec/hevc-sps.ts';
import { parseHevcConfig } from '../../../src/net/codec/hevc.ts';
import { describeStream } from '../../../src/net/codec/media-info.ts';
import { splitNalUnits } from '../../../src/net/codec/nal.ts';
import { AnnexBAccessUnit, type VideoParams } from '../../../src/net/mpegts/annexb-access-unit.ts';
import { parseOpusHead } from '../../../src/net/codec/opus.ts';
import { createVideoTagInfo, parseVideoTag } from '../../../src/net/codec/video-tag.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { check } from './fuzz-target.ts';

function lenient(parse: () => unknown, what: string): void {
  try {
    parse();
  } catch (err) {
    check(false, `${what} threw ${String(err)}`);
  }
}

// The MPEG-TS muxer's rewrite of a length-prefixed frame as Annex B (AUD and parameter
// sets inserted): malformed frames throw TS_MUX before anything is written.
const H264_FRAME: VideoParams = { hevc: false, nalLengthSize: 4, parameterSets: [Uint8Array.of(0x67, 0x42), Uint8Array.of(0x68, 0xce)] };
const H265_FRAME: VideoParams = { hevc: true, nalLengthSize: 2, parameterSets: [Uint8Array.of(0x40, 0x01)] };
const accessUnit = new AnnexBAccessUnit();

function toAnnexB(frame: Uint8Array, params: VideoParams): void {
  accessUnit.scan(frame, params);
  const out = new Uint8Array(accessUnit.size(params, true));
  const end = accessUnit.write(out, 0, frame, params, true);
  check(end === out.length, `Annex B wrote ${end} of ${out.length} bytes`);
}

const reusedVideo = createVideoTagInfo();
const reusedAudio = createAudioTagInfo();

const ENTRY = [
  (p: Uint8Array): unknown => lenient(() => parseVideoTag(p), 'parseVideoTag'),
  (p: Uint8Array): unknown => lenient(() => parseAudioTag(p), 'parseAudioTag'),
  (p: Uint8Array): unknown => lenient(() => parseVideoTag(p, reusedVideo), 'parseVideoTag into a reused object'),
  (p: Uint8Array): unknown => lenient(() => parseAudioTag(p, reusedAudio), 'parseAudioTag into a reused object'),
  (p: Uint8Array): unknown => parseAvcConfig(p),
  (p: Uint8Array): unknown => parseHevcConfig(p),
  (p: Uint8Array): unknown => parseAvcSps(p),
  (p: Uint8Array): unknown => parseHevcSps(p),
  (p: Uint8Array): unknown => parseAacConfig(p),
  (p: Uint8Array): unknown => parseAv1Config(p),
  (p: Uint8Array): unknown => parseOpusHead(p),
  (p: Uint8Array): unknown => lenient(() => describeStream(p, p, null), 'describeStream'),
  (p: Uint8Array): unknown => splitNalUnits(p, 4),
  (p: Uint8Array): unknown => toAnnexB(p, H264_FRAME),
  (p: Uint8Array): unknown => toAnnexB(p, H265_FRAME),
];

export const target: FuzzTarget = {
  name: 'codec',
  description: 'video/audio tag headers, AVC/HEVC/AV1/AAC/Opus configurations, SPS, NAL splitting',
  coverage: ['/src/net/codec/', '/src/net/mpegts/annexb-access-unit.ts'],
  maxLen: 2048,
  dictionary: [
    Uint8Array.of(0x67), Uint8Array.of(0x68), Uint8Array.of(0x42), Uint8Array.of(0x44), Uint8Array.of(0x40),
    Uint8Array.of(0xe1), Uint8Array.of(0xff), Uint8Array.of(0x01, 0x64, 0x00, 0x1f),
    Uint8Array.of(0, 0, 1), Uint8Array.of(0, 0, 0, 1), Uint8Array.of(0, 0, 3),
    Uint8Array.of(0x17, 0x00, 0, 0, 0), Uint8Array.of(0x1c, 0x00, 0, 0, 0), Uint8Array.of(0xaf, 0x00),
    Uint8Array.of(0x90), Uint8Array.of(0x80), 'hvc1', 'avc1', 'av01', 'Opus', 'OpusHead', 'mp4a', 'vp09',
  ],
  fuzz(data) {
    if (data.length === 0) return;
    ENTRY[data[0]! % ENTRY.length]!(data.subarray(1));
  },
};
