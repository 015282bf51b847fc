// HLS segments and DVR recordings are built in blocks of the media pool and written from
// there by the file-work pool (block numbers, no copies). With 4 KB blocks every segment
// and every batch of the recording crosses many block boundaries, so a piece lost,
// doubled or read from a reused block shows in the bytes: the recording's tags must equal
// the published ones, each segment's frames the published frames, every segment must
// decode cleanly, and every block must be back in the pool once the stream has ended.
// The fmp4 variant's disk copies go the same way: byte for byte what the server served
// from memory while the stream was live. Then a pool too small for a segment: the segment is dropped with a clear log line,
// the live player gets every frame, later segments are written, and nothing is held.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, flvTags, sendFile } from '../fixtures/rtmp/our-clients.ts';
import { run, until } from '../helpers/clients.ts';
import { splitAnnexB } from '../helpers/annexb.ts';
import { payloadUnits, readPes } from '../unit/mpegts-test-demux.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { splitNalUnits } from '../../src/net/codec/nal.ts';
import { RtmpPlayer } from '../../bench/load-client/rtmp-player.ts';
import { httpGet } from '../helpers/http-get.ts';

const FILE = 'av-1mbps.flv';
const LIMIT_MS = 8000;

interface Pool { in_use: number; failed: number }

async function pool(server: TestServer): Promise<Pool> {
  return ((await (await server.api('/api/v1/summaries')).json()) as { data: { pool: Pool } }).data.pool;
}

function isSequenceHeader(t: { type: number; data: Uint8Array }): boolean {
  return t.data[1] === 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** The segment files a media playlist lists, in order. */
function listedSegments(m3u8: string): string[] {
  return listedLines(readFileSync(m3u8, 'utf8'));
}

async function decodesCleanly(file: string): Promise<string> {
  const r = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], 30_000).done;
  return r.code === 0 ? r.stderr.trim() : `exit ${r.code}: ${r.stderr.trim()}`;
}

let server: TestServer;
before(async () => {
  server = await startServer({
    workers: 2,
    config: { media: { block_size: 4096, max_memory: 64 * 1024 * 1024 } },
    vhost: {
      hls: { enabled: true, path: './html', fragment: 1, window: 60, cleanup: false },
      dvr: { enabled: true, plan: 'session', path: './dvr/[app]/[stream].flv' },
    },
  });
});
after(async () => {
  await server?.stop();
});

test('segments and a recording built in 4 KB blocks hold exactly the published frames; every block comes back', { timeout: 90_000 }, async () => {
  const sent = flvTags(FILE).filter((t) => (t.type === 8 || t.type === 9) && t.timestamp <= LIMIT_MS);
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('blocks');
  await sendFile(pub.client, FILE, { realtime: true, speed: 2, limitMs: LIMIT_MS });
  const live = await pool(server);
  assert.ok(live.in_use > 0, 'the stream holds blocks while live');
  await pub.client.close();

  const m3u8 = join(server.dir, 'html/live/blocks.m3u8');
  await server.waitForLog(/dvr file closed/, 15_000);
  await until(() => existsSync(m3u8) && readFileSync(m3u8, 'utf8').includes('#EXT-X-ENDLIST'), 15_000, 'the ended playlist');

  // The recording: per track, the same tags in the same order, byte for byte (times rebased to the first frame, 0 here).
  const dvrDir = join(server.dir, 'dvr/live');
  const recorded = readFlvFile(new Uint8Array(readFileSync(join(dvrDir, readdirSync(dvrDir)[0]!)))).tags.filter((t) => t.type !== 18);
  for (const type of [8, 9]) {
    const want = sent.filter((t) => t.type === type);
    const got = recorded.filter((t) => t.type === type);
    assert.equal(got.length, want.length, `track ${type}: ${got.length} tags recorded, ${want.length} sent; first recorded ${JSON.stringify(got.slice(0, 4).map((t) => [t.timestamp, t.data.length, t.data[1]]))} last ${JSON.stringify(got.slice(-3).map((t) => [t.timestamp, t.data.length, t.data[1]]))}; sent last ${JSON.stringify(want.slice(-3).map((t) => [t.timestamp, t.data.length, t.data[1]]))}`);
    const firstBad = want.findIndex((t, i) => !sameBytes(t.data, got[i]!.data) || (!isSequenceHeader(t) && t.timestamp !== got[i]!.timestamp));
    assert.equal(firstBad, -1, `track ${type}: tag ${firstBad} differs from the one sent`);
  }

  // The segments: every video frame's NAL units end its PES; every AAC frame is its PES after the ADTS header.
  const segments = listedSegments(m3u8).map((uri) => join(server.dir, 'html/live', uri));
  assert.ok(segments.length >= 3, `${segments.length} segments`);
  const ts = Buffer.concat(segments.map((f) => readFileSync(f)));
  const videoPes = payloadUnits(ts, 0x100).map(readPes);
  const audioPes = payloadUnits(ts, 0x101).map(readPes);
  const videoSent = sent.filter((t) => t.type === 9 && !isSequenceHeader(t));
  const audioSent = sent.filter((t) => t.type === 8 && !isSequenceHeader(t));
  assert.equal(videoPes.length, videoSent.length, 'one PES per video frame');
  const badVideo = videoSent.findIndex((t, i) => {
    const want = splitNalUnits(t.data.subarray(5), 4);
    const got = splitAnnexB(videoPes[i]!.es).slice(-want.length);
    return got.length !== want.length || want.some((u, k) => !sameBytes(u, got[k]!));
  });
  assert.equal(badVideo, -1, `video frame ${badVideo} differs in the segments`);
  // Audio that came before the first video keyframe is not muxed: compare from the end.
  assert.ok(audioPes.length > 0 && audioPes.length <= audioSent.length);
  const audioTail = audioSent.slice(audioSent.length - audioPes.length);
  const badAudio = audioTail.findIndex((t, i) => !sameBytes(t.data.subarray(2), audioPes[i]!.es.subarray(7)));
  assert.equal(badAudio, -1, `audio frame ${badAudio} differs in the segments`);
  for (const f of segments) assert.equal(await decodesCleanly(f), '', f);

  await until(async () => (await pool(server)).in_use === 0, 10_000, 'every block back once the files are written');
  assert.equal((await pool(server)).failed, 0);
});

test('a segment the pool has no room for is dropped and logged; the player gets every frame; later segments are written', { timeout: 90_000 }, async () => {
  // 32 blocks of 64 KB, no GOP cache: what a stream holds is what its readers have not read.
  const small = await startServer({
    workers: 1,
    config: { media: { block_size: 65536, max_memory: 2 * 1024 * 1024 } },
    vhost: { gop_cache: false, hls: { enabled: true, path: './html', fragment: 2, window: 10, cleanup: false } },
  });
  const player = new RtmpPlayer({ host: '127.0.0.1', port: small.rtmpPort, app: 'live', stream: 'tight' }, { readBuffer: Buffer.alloc(256 * 1024), record: true });
  try {
    await until(() => player.playing, 10_000, 'the player to ask for the stream');
    // The keyframes from 2 s to 18 s are sent as inter frames: the first segment runs
    // 20 s (2.5 MB, more than the pool), the ones after it are 2 s again.
    const demote = (t: { type: number; timestamp: number; data: Uint8Array }): Uint8Array => {
      if (t.type !== 9 || t.data[0] !== 0x17 || t.data[1] !== 1 || t.timestamp < 1000 || t.timestamp > 19_000) return t.data;
      const copy = Uint8Array.from(t.data);
      copy[0] = 0x27;
      return copy;
    };
    const pub = await connectRecorded(small.rtmpUrl('live'));
    await pub.client.publish('tight');
    const sentFrames = await sendFile(pub.client, FILE, { realtime: true, speed: 4, rewrite: demote });
    await small.waitForLog(/hls segment dropped: the media pool is nearly full/, 5000);
    await until(() => player.frames!.length >= sentFrames - 1, 10_000, 'the player to get every frame');
    await pub.client.close();
    const m3u8 = join(small.dir, 'html/live/tight.m3u8');
    await until(() => existsSync(m3u8) && readFileSync(m3u8, 'utf8').includes('#EXT-X-ENDLIST'), 15_000, 'the ended playlist');
    const segments = listedSegments(m3u8);
    assert.ok(segments.length >= 3, `the segments after the dropped one are listed: ${segments.join(' ')}`);
    // None of them holds the dropped 20 s: the first listed starts at the first keyframe after it.
    const first = payloadUnits(readFileSync(join(small.dir, 'html/live', segments[0]!)), 0x100).map(readPes)[0]!;
    assert.ok(first.dts >= 19_000 * 90, `the first listed segment starts at ${first.dts / 90} ms`);
    for (const s of segments) assert.equal(await decodesCleanly(join(small.dir, 'html/live', s)), '', s);
    assert.equal(player.isClosed, false, player.error);
    assert.equal(small.proc.exitCode, null, 'the server is running');
    await until(async () => (await pool(small)).in_use === 0, 10_000, 'every block back once the stream ended');
  } finally {
    player.close();
    await small.stop();
  }
});

test('fmp4: the disk copies written from 4 KB blocks are what was served from memory while live', { timeout: 90_000 }, async () => {
  const fm = await startServer({
    workers: 1,
    config: { media: { block_size: 4096, max_memory: 64 * 1024 * 1024 } },
    vhost: { hls: { enabled: true, path: './html', fragment: 1, window: 60, variant: 'fmp4', cleanup: false } },
  });
  try {
    const pub = await connectRecorded(fm.rtmpUrl('live'));
    await pub.client.publish('cmaf');
    const served = new Map<string, Buffer>();
    const fetchListed = async (): Promise<void> => {
      const list = await httpGet(fm.httpUrl('live/cmaf.m3u8')).catch(() => null);
      if (list?.status !== 200) return;
      const text = list.body.toString();
      const uris = [...text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1]!).concat(listedLines(text));
      for (const uri of uris) {
        if (served.has(uri)) continue;
        const r = await httpGet(fm.httpUrl(`live/${uri}`));
        if (r.status === 200) served.set(uri, r.body);
      }
    };
    let sending = true;
    const feed = sendFile(pub.client, FILE, { realtime: true, speed: 2, limitMs: LIMIT_MS }).finally(() => (sending = false));
    while (sending) {
      await fetchListed();
      await new Promise((r) => setTimeout(r, 200));
    }
    await feed;
    await fetchListed();
    await pub.client.close();
    const m3u8 = join(fm.dir, 'html/live/cmaf.m3u8');
    await until(() => existsSync(m3u8) && readFileSync(m3u8, 'utf8').includes('#EXT-X-ENDLIST'), 15_000, 'the ended playlist on disk');
    const segments = [...served.keys()].filter((u) => u.endsWith('.m4s'));
    assert.ok(segments.length >= 3 && served.size > segments.length, `served while live: ${[...served.keys()].join(' ')}`);
    for (const [uri, bytes] of served) {
      const disk = readFileSync(join(fm.dir, 'html/live', uri));
      assert.ok(disk.equals(bytes), `${uri}: the disk copy (${disk.length} bytes) differs from what was served (${bytes.length})`);
    }
    await until(async () => (await pool(fm)).in_use === 0, 10_000, 'every block back once the copies are written');
  } finally {
    await fm.stop();
  }
});

function listedLines(m3u8: string): string[] {
  return m3u8.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}
