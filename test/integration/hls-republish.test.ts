// A republish within `dispose` goes on with the sequence numbers of the playlist left on
// disk and marks the join with EXT-X-DISCONTINUITY (as SRS does), while a player polling
// the playlist all along never sees a gap, a step back or a missing segment; once the
// second publish has ended and `dispose` has passed, no file of either publish is left.
//
// One run (publish, stop, publish again, stop, wait for the cleanup) is recorded in
// `before`, on a one-worker and a two-worker server at once; the tests below judge
// different parts of the records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep, type ProbeStream } from '../helpers/clients.ts';
import { HlsWatcher } from '../helpers/hls-watcher.ts';
import type { ParsedMediaPlaylist } from '../../src/net/hls/m3u8.ts';

// Long enough for the files to stay between the publishes (1 s apart), short enough to
// see the cleanup after the second one.
const DISPOSE = 6;

interface Run {
  liveFrom: number;
  liveTo: number;
  firstRun: ParsedMediaPlaylist;
  missingBetween: string[];
  secondRun: ParsedMediaPlaylist[];
  joinedText: string;
  streamsOverJoin: ProbeStream[];
  leftAfterDispose: string[];
}

/** One server and the player watching it, with the run recorded there. */
interface Setup {
  server: TestServer;
  watcher: HlsWatcher;
  run: Run | null;
  error: Error | null;
}

function files(server: TestServer): string[] {
  const dir = join(server.dir, 'html', 'live');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('again')).sort() : [];
}

/** Publishes until `segments` more segments are listed, then stops and waits for ENDLIST. */
async function publishFor({ server, watcher }: Setup, segments: number): Promise<void> {
  const had = watcher.segments.size;
  const versions = watcher.playlists.length;
  const pub = publish(server.rtmpUrl('live/again'), 'av-1mbps.flv');
  try {
    await until(() => watcher.segments.size >= had + segments || watcher.problems.length > 0, 20000, `${segments} new segments`);
  } finally {
    await pub.stop();
  }
  await until(() => watcher.playlists.slice(versions).some((p) => p.parsed.ended), 10000, 'EXT-X-ENDLIST');
}

async function record(setup: Setup): Promise<Run> {
  const { server, watcher } = setup;
  await publishFor(setup, 3);
  const firstRun = watcher.last!;
  const onDisk = files(server);
  const uris = firstRun.segments.map((s) => s.uri);
  await sleep(1000);
  const versions = watcher.playlists.length;
  const liveFrom = Date.now();
  await publishFor(setup, 3);
  const endedAt = Date.now();
  await sleep(500);
  const secondRun = watcher.playlists.slice(versions).map((p) => p.parsed);
  const joined = watcher.playlists.slice(versions).find((p) => !p.parsed.ended) ?? watcher.playlists[versions]!;
  const streamsOverJoin = await ffprobeStreams(watcher.url);
  await watcher.stop();
  await until(() => files(server).length === 0, (DISPOSE + 3) * 1000 - (Date.now() - endedAt), 'cleanup').catch(() => {});
  return {
    liveFrom,
    liveTo: endedAt,
    firstRun,
    missingBetween: uris.filter((u) => !onDisk.includes(u)),
    secondRun,
    joinedText: joined.text,
    streamsOverJoin,
    leftAfterDispose: files(server),
  };
}

async function setUp(workers: number): Promise<Setup> {
  const server = await startServer({
    workers,
    vhost: { hls: { enabled: true, path: './html', fragment: 2, window: 10, dispose: DISPOSE, cleanup: true } },
  });
  const setup: Setup = { server, watcher: new HlsWatcher(server.httpUrl('live/again.m3u8')), run: null, error: null };
  setup.watcher.start();
  try {
    setup.run = await record(setup);
  } catch (err) {
    setup.error = err as Error;
  }
  return setup;
}

// One worker: the republish meets the first publish's muxer on the same thread, so what
// happens to the old files does not depend on which worker the kernel hands ffmpeg to.
// Two workers: the republish lands on either worker; the outcome must be the same.
let one: Setup | undefined;
let two: Setup | undefined;
before(async () => {
  [one, two] = await Promise.all([setUp(1), setUp(2)]);
});
after(async () => {
  for (const s of [one, two]) {
    await s?.watcher.stop();
    await s?.server.stop();
  }
});

function recorded(setup: Setup | undefined): { run: Run; watcher: HlsWatcher } {
  if (!setup?.run) throw setup?.error ?? new Error('no run recorded');
  return { run: setup.run, watcher: setup.watcher };
}

test('republish: sequence numbers go on from the playlist on disk, EXT-X-DISCONTINUITY on the first new segment, no gaps', () => {
  const { run: r, watcher } = recorded(one);
  assert.deepEqual(watcher.problems, [], 'a player saw something it should not have');
  assert.equal(r.firstRun.ended, true);
  assert.deepEqual(r.missingBetween, [], 'segments of the first publish deleted before dispose');
  const gone = watcher.vanished.filter((t) => t >= r.liveFrom && t <= r.liveTo);
  assert.deepEqual(gone, [], 'the playlist answered 404 during the republish');
  const lastFirst = r.firstRun.segments.at(-1)!.sequence;
  const live = r.secondRun.find((p) => p.segments.some((s) => s.sequence > lastFirst));
  assert.ok(live, 'no playlist from the second publish');
  assert.equal(live.ended, false, 'the live playlist of the republish still says EXT-X-ENDLIST');
  const first = live.segments.find((s) => s.sequence === lastFirst + 1);
  assert.ok(first, `the republish does not go on at ${lastFirst + 1}:\n${r.joinedText}`);
  assert.equal(first.uri, `again-${lastFirst + 1}.ts`);
  assert.equal(first.discontinuity, true, `no EXT-X-DISCONTINUITY before the first segment of the republish:\n${r.joinedText}`);
  const final = r.secondRun.at(-1)!;
  assert.equal(final.ended, true, 'EXT-X-ENDLIST after the second unpublish');
  for (const s of final.segments) if (s.sequence > lastFirst + 1) assert.equal(s.discontinuity, false, `discontinuity on ${s.uri}`);
  assert.deepEqual(r.streamsOverJoin.map((s) => s.codec_name).sort(), ['aac', 'h264'], 'ffprobe reads the playlist over the join');
  const all = [...watcher.segments.keys()].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i), 'every sequence number from 0, once, no gaps');
});

test('republish: the playlist keeps the first publish\'s segments in its window, so the discontinuity marks a join (as SRS)', () => {
  const { run: r } = recorded(one);
  const lastFirst = r.firstRun.segments.at(-1)!.sequence;
  const live = r.secondRun.find((p) => p.segments.some((s) => s.sequence > lastFirst))!;
  assert.ok(
    live.segments.some((s) => s.sequence === lastFirst),
    `the first playlist of the republish dropped segments ${r.firstRun.segments.map((s) => s.sequence)} of the first publish (window 10 s):\n${r.joinedText}`,
  );
});

test('republish: after the second unpublish and `dispose`, no file of either publish is left', () => {
  const { run: r } = recorded(one);
  assert.deepEqual(r.leftAfterDispose, [], `left in html/live ${DISPOSE + 3} s after the end`);
});

test('republish on two workers: the playlist never answers 404 while live, and nothing is left after `dispose`', () => {
  const { run: r, watcher } = recorded(two);
  assert.deepEqual(watcher.problems, [], 'a player saw something it should not have');
  const gone = watcher.vanished.filter((t) => t >= r.liveFrom && t <= r.liveTo);
  assert.equal(gone.length, 0, `the playlist answered 404 ${gone.length} times, from ${gone[0]! - r.liveFrom} to ${gone.at(-1)! - r.liveFrom} ms into the republish`);
  assert.deepEqual(r.leftAfterDispose, [], `left in html/live ${DISPOSE + 3} s after the end`);
});
