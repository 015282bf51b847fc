// hls.variant low_latency served by a real server with two workers (requests land on either:
// the publisher's worker or one that follows the stream through its HlsLiveStore). ffmpeg
// publishes av-1mbps.flv in real time. Checked against draft-pantos-hls-rfc8216bis:
// - tags: EXT-X-PART-INF, EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD=YES and PART-HOLD-BACK
//   at least three part targets, a preload hint; every part no longer than PART-TARGET; a
//   segment's parts add up to its EXTINF; INDEPENDENT=YES exactly on the parts whose first
//   video sample is a sync sample (read from the part's own bytes);
// - a blocking reload for the next part is held until that part is listed, then answered
//   with it; nonsense (_HLS_part alone, non-numbers, too far ahead) gets 400 at once;
// - the preload-hinted part, asked for before it exists, is answered when it lands;
// - a republish (within `dispose`) carries the media sequence on after the last segment,
//   with EXT-X-DISCONTINUITY at the join, parts numbered from 0 again.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, sleep, until, type Proc } from '../helpers/clients.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';

const PART_MS = 200;
const NON_SYNC = 0x00010000;

type Part = { uri: string; duration: number; independent: boolean };
type Seg = { msn: number; uri: string; duration: number; parts: Part[]; discontinuity: boolean };
type Playlist = {
  text: string; partTarget: number; holdBack: number; canBlock: boolean; mediaSequence: number; dseq: number;
  segments: Seg[]; open: Part[]; hint: string | null; ended: boolean;
};

function attr(line: string, name: string): string | null {
  const m = new RegExp(`(?:[:,])${name}=("([^"]*)"|[^,]*)`).exec(line);
  return m ? (m[2] ?? m[1]!) : null;
}

function parse(text: string): Playlist {
  const p: Playlist = { text, partTarget: NaN, holdBack: NaN, canBlock: false, mediaSequence: NaN, dseq: NaN, segments: [], open: [], hint: null, ended: false };
  let parts: Part[] = [];
  let duration = NaN;
  let discontinuity = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PART-INF:')) p.partTarget = Number(attr(line, 'PART-TARGET'));
    else if (line.startsWith('#EXT-X-SERVER-CONTROL:')) {
      p.holdBack = Number(attr(line, 'PART-HOLD-BACK'));
      p.canBlock = attr(line, 'CAN-BLOCK-RELOAD') === 'YES';
    } else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) p.mediaSequence = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-DISCONTINUITY-SEQUENCE:')) p.dseq = Number(line.split(':')[1]);
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line.startsWith('#EXT-X-PART:')) parts.push({ uri: attr(line, 'URI')!, duration: Number(attr(line, 'DURATION')), independent: attr(line, 'INDEPENDENT') === 'YES' });
    else if (line.startsWith('#EXT-X-PRELOAD-HINT:')) p.hint = attr(line, 'URI');
    else if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).split(',')[0]);
    else if (line === '#EXT-X-ENDLIST') p.ended = true;
    else if (line !== '' && !line.startsWith('#')) {
      p.segments.push({ msn: p.mediaSequence + p.segments.length, uri: line, duration, parts, discontinuity });
      parts = [];
      discontinuity = false;
    }
  }
  p.open = parts;
  return p;
}

let server: TestServer;
let pub: Proc | null = null;
const url = (path: string) => server.httpUrl(`live/${path}`);

async function get(path: string): Promise<{ status: number; body: Buffer; ms: number; headers: Headers }> {
  const t0 = Date.now();
  const r = await fetch(url(path), { signal: AbortSignal.timeout(15_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, body, ms: Date.now() - t0, headers: r.headers };
}

async function playlist(query = ''): Promise<Playlist> {
  const r = await get(`cam.m3u8${query}`);
  assert.equal(r.status, 200, r.body.toString());
  return parse(r.body.toString());
}

before(async () => {
  server = await startServer({
    workers: 2,
    vhost: { hls: { enabled: true, fragment: 2, window: 12, variant: 'low_latency', part_ms: PART_MS, dispose: 30 } },
  });
  pub = publish(server.rtmpUrl('live/cam'), 'av-1mbps.flv', { loop: true, timeoutMs: 120_000 });
  await until(async () => (await get('cam.m3u8').catch(() => null))?.status === 200, 20_000, 'the first playlist');
  await until(async () => (await playlist()).segments.length >= 3, 20_000, 'three segments');
});

after(async () => {
  await pub?.stop();
  await server?.stop();
});

describe('low_latency playlists served by the server', { timeout: 150_000 }, () => {
  it('carries the LL-HLS tags, part durations within PART-TARGET, parts adding up to segments', async () => {
    const p = await playlist();
    assert.equal(p.partTarget, PART_MS / 1000);
    assert.equal(p.canBlock, true);
    assert.ok(p.holdBack >= 3 * p.partTarget - 1e-9, `PART-HOLD-BACK ${p.holdBack}`);
    assert.ok(p.hint !== null && /cam-\d+\.\d+\.m4s$/.test(p.hint), `hint ${p.hint}`);
    const all = [...p.segments.flatMap((s) => s.parts), ...p.open];
    assert.ok(all.length > 10, `${all.length} parts listed`);
    for (const part of all) assert.ok(part.duration > 0 && part.duration <= p.partTarget, `${part.uri}: ${part.duration}`);
    for (const s of p.segments.filter((x) => x.parts.length > 0)) {
      const sum = s.parts.reduce((n, x) => n + x.duration, 0);
      assert.ok(Math.abs(sum - s.duration) <= 0.001 * s.parts.length + 0.001, `${s.uri}: parts ${sum} vs EXTINF ${s.duration}`);
      assert.equal(s.parts[0]!.independent, true, `${s.uri} starts on a keyframe`);
    }
    const r = await get('cam.m3u8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
  });

  it('marks INDEPENDENT=YES exactly on parts that start with a sync sample', async () => {
    const p = await playlist();
    const parts = p.segments.flatMap((s) => s.parts).slice(-20);
    let independents = 0;
    for (const part of parts) {
      const r = await get(part.uri);
      assert.equal(r.status, 200, part.uri);
      assert.equal(r.headers.get('content-type'), 'video/iso.segment');
      const video = readFragments(new Uint8Array(r.body)).flatMap((f) => f.trafs).find((t) => t.tfhd.trackId === 1);
      assert.ok(video && video.samples.length > 0, `${part.uri} has video`);
      const sync = (video.samples[0]!.flags & NON_SYNC) === 0;
      assert.equal(part.independent, sync, `${part.uri}: INDEPENDENT=${part.independent}, first sample sync ${sync}`);
      if (sync) independents++;
    }
    assert.ok(independents >= 1, 'a keyframe part among the last 20');
  });

  it('holds a blocking reload until the next part is listed, and answers 400 to nonsense', async () => {
    const p = await playlist();
    const msn = p.mediaSequence + p.segments.length;
    const next = { msn, part: p.open.length };
    const r = await get(`cam.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
    assert.equal(r.status, 200);
    const q = parse(r.body.toString());
    const listed = q.mediaSequence + q.segments.length > next.msn
      ? q.segments.find((s) => s.msn === next.msn)?.parts.length ?? 0
      : q.open.length;
    assert.ok(listed > next.part || q.mediaSequence + q.segments.length > next.msn, `part ${next.msn}.${next.part} listed`);
    assert.ok(r.ms >= 30, `the reload was held (${r.ms} ms)`);
    assert.ok(r.ms < 2000, `and answered once the part landed (${r.ms} ms)`);
    for (const bad of ['_HLS_part=1', `_HLS_msn=x`, `_HLS_msn=${msn}&_HLS_part=-1`, `_HLS_msn=${msn + 10}`, `_HLS_msn=${msn}&_HLS_part=${next.part + 100}`, '_HLS_skip=maybe']) {
      const b = await get(`cam.m3u8?${bad}`);
      assert.equal(b.status, 400, `${bad}: ${b.status}`);
      assert.ok(b.ms < 1000, `${bad} answered at once`);
    }
  });

  it('answers a request for the preload-hinted part when the part lands', async () => {
    const p = await playlist();
    const hint = p.hint!;
    const r = await get(hint);
    assert.equal(r.status, 200, hint);
    assert.ok(r.body.length > 100);
    assert.match(String(r.headers.get('cache-control')), /max-age/);
    const q = await playlist();
    assert.ok(q.text.includes(`URI="${hint}"`), `${hint} is listed now`);
  });

  it('carries the media sequence on across a republish, with a discontinuity', async () => {
    const before = await playlist();
    await pub!.stop();
    pub = null;
    const ended = (await until(async () => {
      const p = await playlist().catch(() => null);
      return p?.ended ? p : null;
    }, 10_000, 'the ended playlist'))!;
    const last = ended.segments.at(-1)!;
    assert.ok(last.msn >= before.mediaSequence + before.segments.length - 1);
    await sleep(500);
    pub = publish(server.rtmpUrl('live/cam'), 'av-1mbps.flv', { loop: true, timeoutMs: 60_000 });
    const after = (await until(async () => {
      const p = await playlist().catch(() => null);
      return p && !p.ended && p.segments.length >= 1 ? p : null;
    }, 20_000, 'the republished playlist'))!;
    const first = after.segments[0]!;
    assert.equal(first.msn, last.msn + 1, `msn goes on: ${last.msn} then ${first.msn}`);
    assert.equal(first.discontinuity, true, 'EXT-X-DISCONTINUITY at the join');
    assert.match(first.uri, new RegExp(`cam-${first.msn}\\.m4s$`));
    assert.match(first.parts[0]?.uri ?? '', new RegExp(`cam-${first.msn}\\.0\\.m4s$`));
    assert.ok(after.dseq >= ended.dseq, 'discontinuity sequence does not go back');
    assert.match(after.text, /#EXT-X-MAP:URI="cam-init-\d+\.mp4"/);
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(after.text)![1]!;
    assert.equal((await get(init)).status, 200);
  });
});
