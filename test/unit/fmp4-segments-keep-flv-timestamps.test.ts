// Muxes the sample FLV files into init.mp4 + .m4s segments (cut on keyframes, and in
// low-latency mode into 200 ms parts), then reads them back with ffprobe: every video and
// audio packet's PTS and DTS must be the FLV source's in milliseconds (B-frames included),
// through the playlist as well as through init + segments concatenated, and each track's
// decode times must run on without a gap or overlap from one segment (and part) to the next.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';
import { flvToCmaf, type CmafResult, type Expected } from '../helpers/flv-to-cmaf.ts';

const run = promisify(execFile);
const MEDIA = '/work/shared/media';
const dir = mkdtempSync(join(tmpdir(), 'sluice-fmp4-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type ProbePacket = { codec_type: string; pts: number; dts: number; duration: number; flags: string };
type ProbeStream = { index: number; codec_type: string; codec_name: string; time_base: string; profile?: string };
type Probe = { packets: ProbePacket[]; streams: ProbeStream[] };

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_packets', '-show_streams', '-of', 'json', file], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Probe;
}

/** Ticks in a stream's time base back to ms: exact when the time base is 1/1000 or finer. */
function toMs(ticks: number, timeBase: string): number {
  const [num, den] = timeBase.split('/').map(Number) as [number, number];
  return Math.round((ticks * num * 1000) / den);
}

function sameTimestamps(p: Probe, expected: Expected, label: string): void {
  const tb = (kind: string): string => p.streams.find((s) => s.codec_type === kind)!.time_base;
  const video = p.packets.filter((x) => x.codec_type === 'video');
  const audio = p.packets.filter((x) => x.codec_type === 'audio');
  assert.equal(video.length, expected.video.length, `${label}: video packets`);
  assert.equal(audio.length, expected.audio.length, `${label}: audio packets`);
  video.forEach((x, i) => {
    const e = expected.video[i]!;
    assert.deepEqual(
      { dts: toMs(x.dts, tb('video')), pts: toMs(x.pts, tb('video')), key: x.flags.startsWith('K') },
      e,
      `${label}: video packet ${i}`,
    );
  });
  audio.forEach((x, i) => {
    assert.deepEqual({ dts: toMs(x.dts, tb('audio')), pts: toMs(x.pts, tb('audio')) }, expected.audio[i], `${label}: audio packet ${i}`);
  });
}

/** Per track, each fragment's tfdt is the previous fragment's tfdt plus its sample durations. */
function continuousDecodeTimes(fragments: Uint8Array[]): number {
  const end = new Map<number, number>();
  let checked = 0;
  for (const bytes of fragments) {
    for (const f of readFragments(bytes)) {
      for (const t of f.trafs) {
        const prev = end.get(t.tfhd.trackId);
        if (prev !== undefined) {
          assert.equal(t.baseMediaDecodeTime, prev, `track ${t.tfhd.trackId} fragment ${f.sequenceNumber} starts where the last ended`);
          checked++;
        }
        end.set(t.tfhd.trackId, t.baseMediaDecodeTime + t.samples.reduce((n, s) => n + s.duration, 0));
      }
    }
  }
  return checked;
}

function writeOut(name: string, out: CmafResult): string {
  const sub = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(sub, 'init.mp4'), out.init);
  for (const s of out.segments) {
    writeFileSync(join(sub, s.uri), s.bytes);
    for (const p of s.parts) writeFileSync(join(sub, p.uri), p.bytes);
  }
  writeFileSync(join(sub, 'index.m3u8'), out.playlist);
  writeFileSync(join(sub, 'all.mp4'), Buffer.concat([out.init, ...out.segments.map((s) => s.bytes)]));
  return sub;
}

const cases = [
  { file: 'av-bframes.flv', partMs: undefined, keyframes: 10, profile: 'High' },
  { file: 'av-bframes.flv', partMs: 200, keyframes: 10, profile: 'High' },
  { file: 'av-1mbps.flv', partMs: undefined, keyframes: 15, profile: 'Main' },
  { file: 'av-1mbps.flv', partMs: 200, keyframes: 15, profile: 'Main' },
];

for (const c of cases) {
  describe(`${c.file} as fMP4${c.partMs ? ` with ${c.partMs} ms parts` : ''}`, { timeout: 120_000 }, () => {
    const out = flvToCmaf(readFileSync(join(MEDIA, c.file)), { fragment: 2, ...(c.partMs ? { partMs: c.partMs } : {}) });
    const sub = writeOut(`${c.file}-${c.partMs ?? 'plain'}`, out);

    it('cuts one segment per keyframe (2 s GOPs, fragment 2 s), each starting with a keyframe', () => {
      assert.equal(out.segments.length, c.keyframes);
      for (const s of out.segments) {
        const first = readFragments(s.bytes)[0]!.trafs.find((t) => t.tfhd.trackId === 1)!.samples[0]!;
        assert.equal(first.flags, 0x0200_0000, `${s.uri} starts with a sync sample`);
      }
    });

    it('init.mp4 reads back as the tracks it was written from', () => {
      const init = readInitSegment(out.init);
      assert.deepEqual(
        init.tracks.map((t) => [t.header.trackId, t.handler.handlerType, t.media.timescale, t.entry.format]),
        out.tracks.map((t) => [t.id, t.kind === 'video' ? 'vide' : 'soun', t.timescale, t.entry.format]),
      );
    });

    it('ffprobe reads every packet of init + segments with the FLV timestamps', async () => {
      const p = await probe(join(sub, 'all.mp4'));
      assert.deepEqual(p.streams.map((s) => s.codec_name), ['h264', 'aac']);
      assert.equal(p.streams[0]!.profile, c.profile);
      sameTimestamps(p, out.expected, 'all.mp4');
      // ffprobe's packet durations come from the frame rate, not the file (ffmpeg 5.1 does
      // not take trun durations into them), so the chain of durations is checked below.
    });

    it('ffprobe reads the same through the playlist (EXT-X-MAP + segments)', async () => {
      const p = await probe(join(sub, 'index.m3u8'));
      sameTimestamps(p, out.expected, 'index.m3u8');
    });

    it('decode times run on across segments (and parts) with no gap', () => {
      const pieces = c.partMs ? out.segments.flatMap((s) => s.parts.map((x) => x.bytes)) : out.segments.map((s) => s.bytes);
      assert.ok(continuousDecodeTimes(pieces) >= 2 * (pieces.length - 1) - 1);
      // Within and across fragments, every sample ends exactly where the next one starts.
      const all = readFragments(Buffer.concat(out.segments.map((s) => s.bytes)));
      for (const id of [1, 2]) {
        const samples = all.flatMap((f) => f.trafs.filter((t) => t.tfhd.trackId === id).flatMap((t) => t.samples));
        for (let i = 1; i < samples.length; i++) assert.equal(samples[i - 1]!.dts + samples[i - 1]!.duration, samples[i]!.dts, `track ${id} sample ${i}`);
      }
      // The segments' durations add up to the video track's span, in whole milliseconds.
      const total = out.segments.reduce((n, s) => n + s.durationMs, 0);
      assert.equal(out.segments[0]!.startMs + total, out.segments.at(-1)!.startMs + out.segments.at(-1)!.durationMs);
      for (let i = 1; i < out.segments.length; i++) {
        assert.equal(out.segments[i]!.startMs, out.segments[i - 1]!.startMs + out.segments[i - 1]!.durationMs);
      }
    });

    if (c.partMs !== undefined) {
      it('parts are at most the part target, and independent exactly when they start a segment', () => {
        for (const s of out.segments) {
          assert.ok(s.parts.length >= 2, `${s.uri} has ${s.parts.length} parts`);
          s.parts.forEach((p, i) => {
            assert.equal(p.independent, i === 0, p.uri);
            assert.ok(p.durationMs <= c.partMs!, `${p.uri} lasts ${p.durationMs} ms`);
          });
          assert.deepEqual(Buffer.concat(s.parts.map((p) => p.bytes)), Buffer.from(s.bytes));
        }
      });
    }
  });
}
