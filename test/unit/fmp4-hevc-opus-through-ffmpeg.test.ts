// H.265 (with B-frames) and Opus, which the FLV sample files do not carry: ffmpeg encodes a
// short fragmented MP4 (libx265 + libopus), our reader takes it apart into what an enhanced
// RTMP publisher would send (the hvcC record, an OpusHead, samples in milliseconds), our
// muxer puts it back together, and ffprobe must read every packet at the same milliseconds
// with the right codecs. This also runs our reader over a file written by another muxer.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readBoxes } from '../../src/net/mp4/box-reader.ts';
import type { Dops } from '../../src/net/mp4/dops.ts';
import { Mp4Fragmenter, type Mp4Sample } from '../../src/net/mp4/fragmenter.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';
import { ticksToMs } from '../../src/net/mp4/timescale.ts';
import { hevcTrack, opusTrack } from '../../src/net/mp4/track.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-fmp4-hevc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** OpusHead (RFC 7845 5.1, little-endian) with the values of a dOps box. */
function opusHead(d: Dops): Uint8Array {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b.writeUInt8(1, 8);
  b.writeUInt8(d.outputChannelCount, 9);
  b.writeUInt16LE(d.preSkip, 10);
  b.writeUInt32LE(d.inputSampleRate, 12);
  b.writeInt16LE(d.outputGain, 16);
  b.writeUInt8(d.channelMappingFamily, 18);
  return b;
}

type Source = { kind: 'video' | 'audio'; sample: Mp4Sample };

describe('H.265 + Opus round trip through ffmpeg', { timeout: 120_000 }, () => {
  const source: Source[] = [];
  let out = '';
  let fragmenter: Mp4Fragmenter;

  before(async () => {
    const input = join(dir, 'ffmpeg.mp4');
    await run(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-y'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=3'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3'],
        ...['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=25:min-keyint=25:bframes=2:log-level=error', '-tag:v', 'hvc1'],
        ...['-c:a', 'libopus', '-b:a', '64k', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', input],
      ],
      { timeout: 60_000 },
    );
    const bytes = readFileSync(input);
    const moov = readBoxes(bytes).find((b) => b.type === 'moov')!;
    const init = readInitSegment(bytes.subarray(0, moov.start + moov.size));
    const video = init.tracks.find((t) => t.entry.format === 'hvc1')!;
    const audio = init.tracks.find((t) => t.entry.format === 'Opus')!;
    assert.ok(video.entry.format === 'hvc1' && audio.entry.format === 'Opus');
    fragmenter = new Mp4Fragmenter({ video: hevcTrack(video.entry.config, 1), audio: opusTrack(opusHead(audio.entry.dops), 2) });
    for (const f of readFragments(bytes, init.tracks.flatMap((t) => (t.extends ? [t.extends] : [])))) {
      for (const traf of f.trafs) {
        const t = traf.tfhd.trackId === video.header.trackId ? video : audio;
        const ts = t.media.timescale;
        for (const s of traf.samples) {
          const dts = ticksToMs(s.dts, ts);
          source.push({
            kind: t === video ? 'video' : 'audio',
            sample: { dts, cts: ticksToMs(s.pts, ts) - dts, keyframe: (s.flags & 0x0001_0000) === 0, data: s.data },
          });
        }
      }
    }
    // Interleaved by time, as RTMP delivers it; the sort is stable, so each track keeps its order.
    source.sort((a, b) => a.sample.dts - b.sample.dts);
    const pieces = [fragmenter.initSegment()];
    const take = (f: { bytes: Uint8Array } | null): void => void (f && pieces.push(f.bytes));
    const cuts: number[] = [];
    for (const { kind, sample } of source) {
      if (kind === 'video') fragmenter.pushVideo(sample);
      else fragmenter.pushAudio(sample);
      if (kind === 'video' && sample.keyframe && sample.dts > 0) cuts.push(sample.dts);
      while (cuts.length > 0 && fragmenter.isComplete(cuts[0]!)) take(fragmenter.fragment(cuts.shift()!));
    }
    for (const c of cuts) take(fragmenter.fragment(c));
    take(fragmenter.flush());
    out = join(dir, 'ours.mp4');
    writeFileSync(out, Buffer.concat(pieces));
  });

  it('the tracks are H.265 (hvc1) and Opus, with their codec strings', () => {
    assert.deepEqual(
      fragmenter.tracks.map((t) => [t.entry.format, t.timescale]),
      [
        ['hvc1', 90000],
        ['Opus', 48000],
      ],
    );
    assert.match(fragmenter.tracks[0]!.codec, /^hvc1\.1\.6\.L\d+\.90$/);
    assert.equal(fragmenter.tracks[1]!.codec, 'opus');
  });

  it('ffprobe reads every packet at the source milliseconds (B-frames included)', async () => {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_packets', '-show_streams', '-of', 'json', out], { timeout: 60_000, maxBuffer: 16 << 20 });
    const p = JSON.parse(stdout) as {
      streams: { codec_name: string; codec_type: string; time_base: string }[];
      packets: { codec_type: string; pts: number; dts: number }[];
    };
    assert.deepEqual(p.streams.map((s) => s.codec_name), ['hevc', 'opus']);
    for (const kind of ['video', 'audio'] as const) {
      const den = Number(p.streams.find((s) => s.codec_type === kind)!.time_base.split('/')[1]);
      const got = p.packets.filter((x) => x.codec_type === kind).map((x) => [ticksToMs(x.dts, den), ticksToMs(x.pts, den)]);
      const want = source.filter((s) => s.kind === kind).map((s) => [s.sample.dts, s.sample.dts + s.sample.cts]);
      assert.deepEqual(got, want, kind);
    }
    assert.ok(source.some((s) => s.kind === 'video' && s.sample.cts < 0) || source.some((s) => s.kind === 'video' && s.sample.cts > 0), 'B-frames reorder');
  });
});
