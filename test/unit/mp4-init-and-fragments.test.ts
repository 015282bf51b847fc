// The fMP4 muxer above the single boxes: tracks made from FLV sequence headers (H.264 from
// the sample file, H.265, AAC, Opus), the init segment read back, fragments with their data
// offsets, and the fragmenter's timing rules (held-back last sample, isComplete, exact
// millisecond conversion at 44.1 kHz, continuity of tfdt, flush estimates, bad input).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { Mp4Fragmenter, type Mp4Sample } from '../../src/net/mp4/fragmenter.ts';
import { writeFragment } from '../../src/net/mp4/media-segment.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';
import { ticksToMs } from '../../src/net/mp4/timescale.ts';
import { aacTrack, avcTrack, hevcTrack, opusTrack } from '../../src/net/mp4/track.ts';
import { writeInitSegment } from '../../src/net/mp4/init-segment.ts';
import { fromHex } from '../helpers/bytes.ts';

const mp4Error = (code: 'MP4_MUX' | 'MP4_DECODE') => (e: unknown) => isSluiceError(e, code);

// The sample file's AVCDecoderConfigurationRecord (High 3.1, 854x480).
const avcRecord = ((): Uint8Array => {
  const { tags } = readFlvFile(readFileSync('/work/shared/media/av-bframes.flv'));
  const tag = tags.find((t) => t.type === 9 && parseVideoTag(t.data).sequenceHeader)!;
  return tag.data.subarray(parseVideoTag(tag.data).headerLength);
})();
// x265's record for 854x480 Main level 3 (as in codec-hevc-config-and-sps.test.ts).
const HVCC = fromHex(
  '0101600000009000000000005af000fcfdf8f800000f03' +
    '200001001840010c01ffff01600000030090000003000003005a959409' +
    '210001002b42010101600000030090000003000003005aa006c201e1cde595952930bc05a02000000300200000030321' +
    '22000100064401c073c189',
);
const OPUS_HEAD = Uint8Array.from([...Buffer.from('OpusHead'), 1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);

describe('tracks from FLV sequence headers', () => {
  it('H.264: 90 kHz, size from the SPS, codec string avc1.PPCCLL', () => {
    const t = avcTrack(avcRecord);
    assert.deepEqual([t.id, t.kind, t.timescale, t.codec, t.width, t.height], [1, 'video', 90000, 'avc1.64001f', 854, 480]);
  });
  it('H.265: hvc1, codec string hvc1.1.6.L90.90', () => {
    const t = hevcTrack(HVCC);
    assert.deepEqual([t.entry.format, t.codec, t.width, t.height], ['hvc1', 'hvc1.1.6.L90.90', 854, 480]);
  });
  it('AAC: timescale is the sample rate, codec mp4a.40.<object type>', () => {
    const t = aacTrack(fromHex('1210'));
    assert.deepEqual([t.id, t.timescale, t.codec], [2, 44100, 'mp4a.40.2']);
    assert.deepEqual([aacTrack(fromHex('2b920800')).timescale, aacTrack(fromHex('2b920800')).codec], [44100, 'mp4a.40.5']);
  });
  it('Opus: 48 kHz whatever the input rate, dOps from OpusHead', () => {
    const t = opusTrack(OPUS_HEAD);
    assert.equal(t.timescale, 48000);
    assert.deepEqual(t.entry.format === 'Opus' && t.entry.dops, { outputChannelCount: 2, preSkip: 312, inputSampleRate: 48000, outputGain: 0, channelMappingFamily: 0 });
  });
  it('malformed sequence headers are CODEC_DECODE', () => {
    for (const f of [() => avcTrack(fromHex('01')), () => hevcTrack(fromHex('01')), () => aacTrack(fromHex('')), () => opusTrack(fromHex('4f707573'))]) {
      assert.throws(f, (e) => isSluiceError(e, 'CODEC_DECODE'));
    }
  });
});

describe('init segment', () => {
  for (const [name, tracks] of [
    ['H.264 + AAC', [avcTrack(avcRecord), aacTrack(fromHex('1190'))]],
    ['H.265 + Opus', [hevcTrack(HVCC), opusTrack(OPUS_HEAD)]],
    ['audio only', [aacTrack(fromHex('1210'), 1)]],
  ] as const) {
    it(`${name}: reads back as written`, () => {
      const init = readInitSegment(writeInitSegment(tracks));
      assert.deepEqual(init.fileType, { majorBrand: 'iso6', minorVersion: 0, compatibleBrands: ['iso6', 'mp41'] });
      assert.deepEqual(init.movie, { timescale: 1000, nextTrackId: tracks.length + 1 });
      assert.deepEqual(
        init.tracks.map((t) => ({ ...t.header, timescale: t.media.timescale, handler: t.handler.handlerType, entry: t.entry, trex: t.extends?.trackId })),
        tracks.map((t) => ({
          trackId: t.id,
          audio: t.kind === 'audio',
          width: t.width,
          height: t.height,
          timescale: t.timescale,
          handler: t.kind === 'video' ? 'vide' : 'soun',
          entry: t.entry,
          trex: t.id,
        })),
      );
    });
  }
  it('refuses no tracks and duplicate ids', () => {
    assert.throws(() => writeInitSegment([]), mp4Error('MP4_MUX'));
    assert.throws(() => writeInitSegment([aacTrack(fromHex('1190'), 1), avcTrack(avcRecord, 1)]), mp4Error('MP4_MUX'));
  });
});

describe('writeFragment', () => {
  it('points each trun at its samples in the mdat (offsets from the moof)', () => {
    const v = [Uint8Array.of(1, 2, 3), Uint8Array.of(4)];
    const a = [Uint8Array.of(9, 9)];
    const bytes = writeFragment(
      [
        { trackId: 1, kind: 'video', baseMediaDecodeTime: 90000, samples: v.map((data, i) => ({ duration: 3000, compositionOffset: 3000, keyframe: i === 0, data })) },
        { trackId: 2, kind: 'audio', baseMediaDecodeTime: 48000, samples: a.map((data) => ({ duration: 1024, compositionOffset: 0, keyframe: true, data })) },
      ],
      { sequenceNumber: 5, styp: true },
    );
    const [f] = readFragments(bytes);
    assert.equal(f!.sequenceNumber, 5);
    assert.deepEqual(
      f!.trafs.map((t) => t.samples.map((s) => [s.dts, s.pts, s.duration, s.flags, [...s.data]])),
      [
        [
          [90000, 93000, 3000, 0x0200_0000, [1, 2, 3]],
          [93000, 96000, 3000, 0x0101_0000, [4]],
        ],
        [[48000, 48000, 1024, 0x0200_0000, [9, 9]]],
      ],
    );
  });
  it('refuses an empty fragment and impossible durations', () => {
    assert.throws(() => writeFragment([], { sequenceNumber: 1 }), mp4Error('MP4_MUX'));
    const bad = { trackId: 1, kind: 'video' as const, baseMediaDecodeTime: 0, samples: [{ duration: -1, compositionOffset: 0, keyframe: true, data: Uint8Array.of(1) }] };
    assert.throws(() => writeFragment([bad], { sequenceNumber: 1 }), mp4Error('MP4_MUX'));
  });
});

const frame = (dts: number, keyframe = false, cts = 0): Mp4Sample => ({ dts, cts, keyframe, data: Uint8Array.of(dts & 0xff, 1) });

describe('Mp4Fragmenter', () => {
  it('holds back each track’s newest sample until its successor gives it a duration', () => {
    const f = new Mp4Fragmenter({ video: avcTrack(avcRecord), audio: aacTrack(fromHex('1210')) });
    f.pushVideo(frame(0, true, 66));
    f.pushAudio(frame(0));
    f.pushVideo(frame(33));
    f.pushAudio(frame(23));
    f.pushVideo(frame(67, true));
    assert.equal(f.isComplete(67), false, 'audio has not reached 67 ms');
    f.pushAudio(frame(46));
    f.pushAudio(frame(70));
    assert.equal(f.isComplete(67), true);
    const frag = f.fragment(67)!;
    assert.deepEqual([frag.startMs, frag.endMs, frag.independent, frag.videoSamples, frag.audioSamples], [0, 67, true, 2, 3]);
    const [v, a] = readFragments(frag.bytes)[0]!.trafs;
    assert.deepEqual(v!.samples.map((s) => [s.dts, s.pts - s.dts, s.duration]), [[0, 66 * 90, 33 * 90], [33 * 90, 0, 34 * 90]]);
    // 44.1 kHz: each time converted from its own ms value, durations are differences.
    assert.deepEqual(a!.samples.map((s) => [s.dts, s.duration]), [[0, 1014], [1014, 1015], [2029, 1058]]);
    assert.deepEqual(f.pending, { video: 1, audio: 1 });
    const last = f.flush()!;
    assert.deepEqual([last.startMs, last.independent, last.sequenceNumber], [67, true, 2]);
    const [v2, a2] = readFragments(last.bytes)[0]!.trafs;
    assert.equal(v2!.baseMediaDecodeTime, 67 * 90, 'tfdt continues where the first fragment ended');
    assert.equal(a2!.baseMediaDecodeTime, 2029 + 1058);
    assert.equal(a2!.samples[0]!.duration, 1058, 'the last duration is estimated from the one before');
  });

  it('converts 44.1 kHz ticks back to the same milliseconds for every value over an hour', () => {
    const f = new Mp4Fragmenter({ audio: aacTrack(fromHex('1210')) });
    for (let ms = 0; ms < 3_600_000; ms += 23) f.pushAudio(frame(ms));
    const frag = f.fragment(3_600_000)!;
    const [t] = readFragments(frag.bytes)[0]!.trafs;
    t!.samples.forEach((s, i) => assert.equal(ticksToMs(s.dts, 44100), i * 23));
  });

  it('marks a fragment not starting on a keyframe as not independent; audio-only is always independent', () => {
    const f = new Mp4Fragmenter({ video: avcTrack(avcRecord) });
    for (const d of [0, 40, 80, 120]) f.pushVideo(frame(d, d === 0));
    assert.equal(f.fragment(40)!.independent, true);
    assert.equal(f.fragment(120)!.independent, false);
    const g = new Mp4Fragmenter({ audio: aacTrack(fromHex('1210')) });
    g.pushAudio(frame(0));
    g.pushAudio(frame(23));
    assert.equal(g.fragment(23)!.independent, true);
    assert.equal(g.fragment(23), null, 'nothing left before 23 ms');
  });

  it('refuses time going backwards, and bad timestamps; drops empty samples', () => {
    const f = new Mp4Fragmenter({ video: avcTrack(avcRecord) });
    f.pushVideo(frame(100, true));
    assert.throws(() => f.pushVideo(frame(99)), mp4Error('MP4_MUX'));
    assert.throws(() => f.pushVideo({ ...frame(200), dts: 1.5 }), mp4Error('MP4_MUX'));
    assert.throws(() => f.pushVideo({ ...frame(200), dts: -1 }), mp4Error('MP4_MUX'));
    assert.throws(() => f.pushAudio(frame(200)), mp4Error('MP4_MUX'));
    f.pushVideo({ ...frame(140), data: new Uint8Array(0) });
    assert.deepEqual(f.pending, { video: 1, audio: 0 });
    assert.throws(() => new Mp4Fragmenter({}), mp4Error('MP4_MUX'));
    assert.throws(() => new Mp4Fragmenter({ video: aacTrack(fromHex('1210')) }), mp4Error('MP4_MUX'));
  });

  it('copies pushed bytes, so the caller may reuse its buffer', () => {
    const f = new Mp4Fragmenter({ video: avcTrack(avcRecord) });
    const buf = Uint8Array.of(7, 7, 7);
    f.pushVideo({ dts: 0, cts: 0, keyframe: true, data: buf });
    buf.fill(0);
    f.pushVideo(frame(40));
    const [t] = readFragments(f.fragment(40)!.bytes)[0]!.trafs;
    assert.deepEqual([...t!.samples[0]!.data], [7, 7, 7]);
  });
});
