// HLS end to end with real clients: ffmpeg publishes over RTMP, a fast poller plays the
// playlist over HTTP like an impatient player, ffprobe reads the playlist and every segment,
// and for the B-frame file the PTS/DTS of the segments are compared with the source's.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, ffprobePackets, run, until, sleep, type ProbePacket } from '../helpers/clients.ts';
import { HlsWatcher, type WatchedSegment } from '../helpers/hls-watcher.ts';
import { httpGet } from '../helpers/http-get.ts';

const FRAGMENT = 2;
const DISPOSE = 3;
/** Segments to see listed before the publisher stops (about 2 s each). */
const SEGMENTS_BEFORE_STOP = 5;

let server: TestServer;
let scratch: string;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-hls-test-'));
  server = await startServer({
    workers: 2,
    // The server runs in its temp dir, so ./html is the dir the helper made and serves.
    vhost: { hls: { enabled: true, path: './html', fragment: FRAGMENT, window: 10, dispose: DISPOSE, cleanup: true } },
  });
});
after(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface SegmentProbe {
  seq: number;
  codecs: string[];
  firstVideoKey: boolean;
  /** Read from the bytes fetched earlier: the server had disposed of the file first. */
  fromCopy: boolean;
  error: string | null;
}

/** One ffprobe of a segment: its streams, and whether its first video packet is a keyframe. */
async function probeOnce(url: string): Promise<{ codecs: string[]; firstVideoKey: boolean }> {
  const r = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:packet=codec_type,flags', '-of', 'json', url], 30000).done;
  if (r.code !== 0) throw new Error(`ffprobe ${url} failed (${r.code}): ${r.stderr.trim()}`);
  const out = JSON.parse(r.stdout) as { streams?: { codec_name: string }[]; packets?: { codec_type: string; flags: string }[] };
  const firstVideo = (out.packets ?? []).find((p) => p.codec_type === 'video');
  return { codecs: (out.streams ?? []).map((s) => s.codec_name).sort(), firstVideoKey: firstVideo?.flags.startsWith('K') ?? false };
}

async function probeSegment(seg: WatchedSegment): Promise<SegmentProbe> {
  try {
    return { seq: seg.sequence, ...(await probeOnce(seg.url)), fromCopy: false, error: null };
  } catch (err) {
    // On a loaded machine ffprobe may start after `dispose` removed the last segments;
    // then read the same bytes, fetched over HTTP when the segment was listed, from a file.
    if (existsSync(join(server.dir, 'html', 'live', seg.uri))) {
      return { seq: seg.sequence, codecs: [], firstVideoKey: false, fromCopy: false, error: (err as Error).message };
    }
    const copy = join(scratch, `copy-${seg.uri}`);
    writeFileSync(copy, seg.bytes);
    try {
      return { seq: seg.sequence, ...(await probeOnce(copy)), fromCopy: true, error: null };
    } catch (err2) {
      return { seq: seg.sequence, codecs: [], firstVideoKey: false, fromCopy: true, error: (err2 as Error).message };
    }
  }
}

function hlsFiles(stream: string): string[] {
  const dir = join(server.dir, 'html', 'live');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f === `${stream}.m3u8` || f.startsWith(`${stream}-`) || f.startsWith(`${stream}.m3u8`));
}

/** Publishes `file` as live/<stream>, watches the HLS output, and checks all of it. */
async function publishAndCheck(file: string, stream: string): Promise<WatchedSegment[]> {
  const playlistUrl = server.httpUrl(`live/${stream}.m3u8`);
  const probes: Promise<SegmentProbe>[] = [];
  const watcher = new HlsWatcher(playlistUrl, { onSegment: (s) => probes.push(probeSegment(s)) });
  const t0 = Date.now();
  watcher.start();
  const pub = publish(server.rtmpUrl(`live/${stream}`), file);
  let stopped = false;
  try {
    await until(() => watcher.firstPlayableAt > 0 || watcher.problems.length > 0, 15000, `first ${stream} playlist`);
    assert.deepEqual(watcher.problems, [], 'problems before the first playlist');
    const firstPlayable = watcher.firstPlayableAt - t0;
    const streams = await ffprobeStreams(playlistUrl);
    const probed = Date.now() - t0;
    console.log(`# ${file}: publish -> first playlist with a whole segment ${firstPlayable} ms; -> ffprobe of the playlist done ${probed} ms`);
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264'], `playlist streams ${JSON.stringify(streams)}`);
    assert.match(watcher.playlistContentType, /^application\/vnd\.apple\.mpegurl/i);

    await until(() => watcher.segments.size >= SEGMENTS_BEFORE_STOP || watcher.problems.length > 0, 25000, `${SEGMENTS_BEFORE_STOP} segments`);
    await pub.stop();
    stopped = true;
    await until(() => watcher.endedAt > 0, 10000, 'EXT-X-ENDLIST after unpublish');
    await sleep(600); // a few more polls so the last segments are fetched twice
  } finally {
    if (!stopped) await pub.stop();
    await watcher.stop();
  }
  const endedAt = watcher.endedAt;
  assert.deepEqual(watcher.problems, [], 'a player saw something it should not have');
  assert.deepEqual(watcher.vanished.filter((t) => t < endedAt), [], 'the playlist answered 404 while live');
  const seen = [...watcher.segments.values()];
  console.log(`# ${file}: ${watcher.playlists.length} playlist versions, segments ${seen.map((s) => `${s.sequence}:${s.duration}s/${s.bytes.length}B${s.recheckedSame ? '=' : '?'}`).join(' ')}`);

  // The last playlist: ended, sane header, durations near the fragment.
  const final = watcher.last!;
  assert.equal(final.ended, true);
  assert.match(watcher.playlists.at(-1)!.text.trimEnd(), /#EXT-X-ENDLIST$/);
  const all = [...watcher.segments.values()].sort((a, b) => a.sequence - b.sequence);
  for (let i = 1; i < all.length; i++) {
    assert.equal(all[i]!.sequence, all[i - 1]!.sequence + 1, `gap in sequence numbers: ${all.map((s) => s.sequence)}`);
  }
  for (const s of all) {
    assert.equal(s.uri, `${stream}-${s.sequence}.ts`, 'segment names carry their sequence number');
    assert.match(s.contentType, /^video\/MP2T/i, `content type of ${s.uri}`);
    assert.notEqual(s.recheckedSame, false, `${s.uri} changed after it was listed`);
  }
  for (const { parsed, text } of watcher.playlists) {
    assert.match(text, /^#EXTM3U\n/);
    assert.match(text, /#EXT-X-TARGETDURATION:\d+\n/);
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:\d+\n/);
    const longest = Math.max(0, ...parsed.segments.map((s) => Math.round(s.duration)));
    assert.ok(parsed.targetDuration >= longest, `TARGETDURATION ${parsed.targetDuration} < a segment of ${longest} s`);
    assert.ok(parsed.targetDuration <= FRAGMENT + 1, `TARGETDURATION ${parsed.targetDuration} for ${FRAGMENT} s fragments`);
    if (parsed.segments.length) assert.equal(parsed.mediaSequence, parsed.segments[0]!.sequence);
  }
  const windowSeconds = final.segments.reduce((a, s) => a + s.duration, 0);
  assert.ok(windowSeconds <= 10 + FRAGMENT + 0.5, `window holds ${windowSeconds} s for window 10`);
  assert.ok(all.length >= SEGMENTS_BEFORE_STOP, `only ${all.length} segments`);
  all.forEach((s, i) => {
    if (i < all.length - 1) assert.ok(Math.abs(s.duration - FRAGMENT) <= 0.3, `segment ${s.sequence} lasts ${s.duration} s, fragment ${FRAGMENT}`);
    else assert.ok(s.duration > 0 && s.duration <= FRAGMENT + 0.3, `last segment lasts ${s.duration} s`);
  });
  assert.equal(all[0]!.sequence, 0, 'a first publish starts at sequence 0');

  // ffprobe read every segment over HTTP as it appeared: both tracks, a keyframe first.
  const results = await Promise.all(probes);
  assert.equal(results.length, all.length);
  const copies = results.filter((r) => r.fromCopy).map((r) => r.seq);
  if (copies.length) console.log(`# ${file}: segments ${copies} were disposed of before ffprobe got to them; probed the fetched bytes`);
  assert.ok(copies.every((seq) => seq >= all.at(-1)!.sequence - 1), `segments ${copies} gone before ffprobe read them over HTTP`);
  for (const r of results) {
    assert.equal(r.error, null, `segment ${r.seq}: ${r.error}`);
    assert.deepEqual(r.codecs, ['aac', 'h264'], `segment ${r.seq} streams`);
    assert.ok(r.firstVideoKey, `segment ${r.seq} does not start with a keyframe`);
  }

  // Cleanup after `dispose` seconds: still there a second after the end, gone after it.
  const m3u8 = join(server.dir, 'html', 'live', `${stream}.m3u8`);
  const wait = endedAt + 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  if (Date.now() - endedAt < (DISPOSE - 0.5) * 1000) {
    assert.ok(existsSync(m3u8), `playlist deleted before dispose (${Date.now() - endedAt} ms after the end)`);
    assert.equal((await httpGet(playlistUrl)).status, 200);
  }
  await until(() => hlsFiles(stream).length === 0, (DISPOSE + 3) * 1000 - (Date.now() - endedAt), `cleanup of ${hlsFiles(stream)}`);
  const goneAfter = Date.now() - endedAt;
  console.log(`# ${file}: files removed ${goneAfter} ms after the playlist ended (dispose ${DISPOSE} s)`);
  assert.ok(goneAfter >= (DISPOSE - 0.5) * 1000, `files removed after ${goneAfter} ms, dispose is ${DISPOSE} s`);
  assert.equal((await httpGet(playlistUrl)).status, 404);
  assert.equal((await httpGet(all.at(-1)!.url)).status, 404);
  return all;
}

type Pair = string;
const pairKey = (dts: number, pts: number): Pair => `${dts}/${pts}`;

describe('HLS from an RTMP publish', { concurrency: true }, () => {
  test('av-1mbps.flv: playlist soon, whole segments of about `fragment` s, ENDLIST on unpublish, cleanup after dispose', async () => {
    await publishAndCheck('av-1mbps.flv', 'plain');
  });

  test('av-bframes.flv: as above, and the segments carry the source PTS/DTS of every video frame', async () => {
    const segments = await publishAndCheck('av-bframes.flv', 'bframes');
    const joined = join(scratch, 'bframes-all.ts');
    writeFileSync(joined, Buffer.concat(segments.map((s) => s.bytes)));
    const [src, out] = await Promise.all([ffprobePackets(MEDIA + 'av-bframes.flv'), ffprobePackets(joined)]);
    const video = (ps: ProbePacket[]) => ps.filter((p) => p.codec_type === 'video');
    const srcVideo = video(src); // milliseconds (FLV time base 1/1000)
    const outVideo = video(out).map((p) => ({ ...p, dts: p.dts / 90, pts: p.pts / 90 })); // 90 kHz -> ms
    assert.ok(outVideo.length > 0, 'no video in the segments');
    assert.ok(outVideo.every((p) => Number.isInteger(p.dts) && Number.isInteger(p.pts)), 'TS timestamps are whole milliseconds of the FLV source');
    const start = outVideo[0]!.dts;
    const end = Math.max(...outVideo.map((p) => p.dts));
    const expected = new Set(srcVideo.filter((p) => p.dts >= start && p.dts <= end).map((p) => pairKey(p.dts, p.pts)));
    const got = new Set(outVideo.map((p) => pairKey(p.dts, p.pts)));
    const missing = [...expected].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !expected.has(k));
    assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] },
      `video (dts/pts ms) from ${start} to ${end}: ${got.size} in the segments, ${expected.size} in the source`);
    assert.equal(outVideo.length, got.size, 'a video frame appears twice');
    // Audio rides along from the first keyframe on: every AAC frame of the source, at its time.
    const audio = (ps: ProbePacket[], scale: number) => ps.filter((p) => p.codec_type === 'audio').map((p) => p.pts / scale);
    const outAudio = audio(out, 90);
    const audioEnd = Math.max(...outAudio);
    const srcAudio = audio(src, 1).filter((t) => t >= start && t <= audioEnd);
    assert.deepEqual(outAudio.filter((t) => t >= start), srcAudio, 'AAC frame times in the segments');
    console.log(`# av-bframes.flv: ${got.size} video frames (dts ${start}..${end} ms) and ${srcAudio.length} AAC frames compared with the source: equal`);
    assert.ok(srcVideo.some((p) => p.pts !== p.dts), 'the source has B-frames (pts != dts)');
    assert.ok(outVideo.some((p) => p.pts - p.dts > 34), 'B-frame composition offsets survive');
  });
});
