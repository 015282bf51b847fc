// Muxes the sample FLV files and reads the result back with ffprobe: every packet's PTS/DTS
// must be the FLV source's (no offset), in 90 kHz, with both tracks and the right codecs.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAudioTag } from '../../src/net/codec/audio-tag.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { HlsSegmenter } from '../../src/net/hls/segmenter.ts';
import { TsMuxer, type TsAudioCodec } from '../../src/net/mpegts/ts-muxer.ts';
import { splitAnnexB } from '../helpers/annexb.ts';

const run = promisify(execFile);
const MEDIA = '/work/shared/media';
const dir = mkdtempSync(join(tmpdir(), 'sluice-mpegts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Expected = { video: { pts: number; dts: number; key: boolean }[]; audio: { pts: number; dts: number }[] };
type ProbePacket = { codec_type: string; pts: number; dts: number; flags: string };
type Probe = { packets: ProbePacket[]; streams: { codec_type: string; codec_name: string }[] };

/** Muxes a whole FLV file; with a segmenter, starts a new segment (PAT+PMT) at each cut. */
function muxFlv(bytes: Uint8Array, audioCodec: TsAudioCodec | null, segmenter?: HlsSegmenter): { segments: Uint8Array[]; expected: Expected } {
  const { tags } = readFlvFile(bytes);
  const hasVideo = tags.some((t) => t.type === 9);
  const m = new TsMuxer({ video: hasVideo ? 'H264' : null, audio: audioCodec });
  const expected: Expected = { video: [], audio: [] };
  const segments: Uint8Array[][] = [];
  // the muxer's output is a view of its own buffer until its next call: keep copies
  const push = (b: Uint8Array): void => void segments.at(-1)!.push(b.slice());
  const decide = (d: string): boolean => {
    if (d === 'drop') return false;
    if (d !== 'continue') {
      segments.push([m.startSegment().slice()]);
    }
    return true;
  };
  if (segmenter === undefined) segments.push([m.startSegment().slice()]);
  for (const t of tags) {
    if (t.type === 9) {
      const v = parseVideoTag(t.data);
      const body = t.data.subarray(v.headerLength);
      if (v.sequenceHeader) m.setVideoConfig(body);
      else if (!v.endOfSequence && !v.command) {
        if (segmenter !== undefined && !decide(segmenter.onVideo(t.timestamp, v.keyframe))) continue;
        expected.video.push({ dts: t.timestamp * 90, pts: (t.timestamp + v.compositionTime) * 90, key: v.keyframe });
        push(m.writeVideo(t.timestamp, v.compositionTime, v.keyframe, body));
      }
    } else if (t.type === 8) {
      const a = parseAudioTag(t.data);
      const body = t.data.subarray(a.headerLength);
      if (a.sequenceHeader) m.setAudioConfig(body);
      else {
        if (segmenter !== undefined && !decide(segmenter.onAudio(t.timestamp))) continue;
        expected.audio.push({ dts: t.timestamp * 90, pts: t.timestamp * 90 });
        push(m.writeAudio(t.timestamp, body));
      }
    }
  }
  return { segments: segments.map((s) => Buffer.concat(s)), expected };
}

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_packets', '-show_streams', '-of', 'json', file], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Probe;
}

function sameTimestamps(probe: Probe, expected: Expected): void {
  const video = probe.packets.filter((p) => p.codec_type === 'video');
  const audio = probe.packets.filter((p) => p.codec_type === 'audio');
  assert.equal(video.length, expected.video.length);
  assert.equal(audio.length, expected.audio.length);
  video.forEach((p, i) => {
    const e = expected.video[i]!;
    assert.deepEqual([p.pts, p.dts, p.flags.startsWith('K')], [e.pts, e.dts, e.key], `video packet ${i}`);
  });
  audio.forEach((p, i) => assert.deepEqual([p.pts, p.dts], [expected.audio[i]!.pts, expected.audio[i]!.dts], `audio packet ${i}`));
}

describe('MPEG-TS read back by ffprobe', { timeout: 120_000 }, () => {
  for (const name of ['av-bframes.flv', 'av-1mbps.flv']) {
    it(`${name}: PTS/DTS of every packet equal the FLV source`, async () => {
      const { segments, expected } = muxFlv(readFileSync(join(MEDIA, name)), 'AAC');
      const file = join(dir, name.replace('.flv', '.ts'));
      writeFileSync(file, segments[0]!);
      assert.equal(segments[0]!.length % 188, 0);
      const p = await probe(file);
      assert.deepEqual(
        p.streams.map((s) => [s.codec_type, s.codec_name]),
        [
          ['video', 'h264'],
          ['audio', 'aac'],
        ],
      );
      if (name === 'av-1mbps.flv') assert.equal(expected.video.length, 750);
      if (name === 'av-bframes.flv') assert.ok(expected.video.some((v) => v.pts !== v.dts), 'B-frames present');
      sameTimestamps(p, expected);
    });
  }

  it('av-1mbps.flv cut at 2 s: 15 segments, each playable alone from a keyframe', async () => {
    const seg = new HlsSegmenter({ fragment: 2, hasVideo: true });
    const { segments, expected } = muxFlv(readFileSync(join(MEDIA, 'av-1mbps.flv')), 'AAC', seg);
    assert.equal(segments.length, 15);
    const all: Probe = { packets: [], streams: [] };
    for (let i = 0; i < segments.length; i++) {
      const file = join(dir, `seg-${i}.ts`);
      writeFileSync(file, segments[i]!);
      const p = await probe(file);
      assert.equal(p.streams.length, 2, `segment ${i} has both tracks`);
      const firstVideo = p.packets.find((x) => x.codec_type === 'video')!;
      assert.ok(firstVideo.flags.startsWith('K'), `segment ${i} starts on a keyframe`);
      all.packets.push(...p.packets);
    }
    sameTimestamps(all, expected);
    // A segment from the middle decodes alone without a single error.
    const { stderr } = await run('/usr/bin/ffmpeg', ['-v', 'error', '-i', join(dir, 'seg-7.ts'), '-f', 'null', '-'], { timeout: 60_000 });
    assert.equal(stderr, '');
  });

  it('H.265 from an ffmpeg-made elementary stream: AUD and VPS/SPS/PPS inserted, decodes cleanly', async () => {
    const es = join(dir, 'v.hevc');
    await run(
      '/usr/bin/ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2',
        '-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=25:bframes=0:repeat-headers=1', '-f', 'hevc', es],
      { timeout: 60_000 },
    );
    const nals = splitAnnexB(readFileSync(es));
    const type = (n: Uint8Array): number => (n[0]! >> 1) & 0x3f;
    const paramSets = [32, 33, 34].map((t) => nals.find((n) => type(n) === t)!);
    // hvcC by hand: version 1, 4-byte lengths, one array each for VPS, SPS, PPS.
    const hvcc: number[] = [1, ...new Array<number>(20).fill(0), 0xf3, 3];
    for (const ps of paramSets) hvcc.push(0x80 | type(ps), 0, 1, ps.length >> 8, ps.length & 0xff, ...ps);
    // Access units: a new one at each first slice segment (first_slice_segment_in_pic_flag),
    // written without AUD or parameter sets so the muxer must supply them.
    const units: { key: boolean; nals: Uint8Array[] }[] = [];
    for (const n of nals) {
      const t = type(n);
      if (t >= 32) continue; // VPS/SPS/PPS/AUD/SEI left out
      if ((n[2]! & 0x80) !== 0) units.push({ key: t >= 16 && t <= 23, nals: [] });
      units.at(-1)!.nals.push(n);
    }
    const m = new TsMuxer({ video: 'H265', audio: null });
    m.setVideoConfig(Uint8Array.from(hvcc));
    const parts = [m.startSegment().slice()];
    units.forEach((u, i) => {
      const body = Buffer.concat(u.nals.flatMap((n) => [Buffer.from([0, 0, n.length >> 8, n.length & 0xff]), n]));
      parts.push(m.writeVideo(i * 40, 0, u.key, body).slice());
    });
    const file = join(dir, 'hevc.ts');
    writeFileSync(file, Buffer.concat(parts));
    const p = await probe(file);
    assert.deepEqual(p.streams.map((s) => [s.codec_type, s.codec_name]), [['video', 'hevc']]);
    assert.equal(units.length, 50);
    sameTimestamps(p, { video: units.map((u, i) => ({ pts: i * 3600, dts: i * 3600, key: u.key })), audio: [] });
    const { stderr } = await run('/usr/bin/ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { timeout: 60_000 });
    assert.equal(stderr, '');
  });

  it('audio-only MP3 from an ffmpeg-made FLV', async () => {
    const flv = join(dir, 'mp3.flv');
    await run(
      '/usr/bin/ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2',
        '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'flv', flv],
      { timeout: 60_000 },
    );
    const { segments, expected } = muxFlv(readFileSync(flv), 'MP3');
    const file = join(dir, 'mp3.ts');
    writeFileSync(file, segments[0]!);
    const p = await probe(file);
    assert.deepEqual(
      p.streams.map((s) => [s.codec_type, s.codec_name]),
      [['audio', 'mp3']],
    );
    assert.ok(expected.audio.length > 50);
    sameTimestamps(p, expected);
  });
});
