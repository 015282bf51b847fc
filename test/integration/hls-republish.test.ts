// A republish within `dispose` goes on with the sequence numbers of the playlist left on
// disk and marks the join with EXT-X-DISCONTINUITY (INTEROP F.1), while a player polling
// the playlist all along never sees a gap, a step back or a missing segment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, until, sleep } from '../helpers/clients.ts';
import { HlsWatcher } from '../helpers/hls-watcher.ts';

let server: TestServer;
before(async () => {
  server = await startServer({
    workers: 2,
    vhost: { hls: { enabled: true, path: './html', fragment: 2, window: 10, dispose: 30, cleanup: true } },
  });
});
after(async () => {
  await server?.stop();
});

/** Publishes until `segments` more segments are listed, then stops and waits for ENDLIST. */
async function publishFor(watcher: HlsWatcher, segments: number): Promise<void> {
  const before = watcher.segments.size;
  const versions = watcher.playlists.length;
  const pub = publish(server.rtmpUrl('live/again'), 'av-1mbps.flv');
  try {
    await until(() => watcher.segments.size >= before + segments || watcher.problems.length > 0, 20000, `${segments} new segments`);
  } finally {
    await pub.stop();
  }
  await until(() => watcher.playlists.slice(versions).some((p) => p.parsed.ended), 10000, 'EXT-X-ENDLIST');
}

test('republish: sequence numbers go on, EXT-X-DISCONTINUITY marks the join, no gaps', async () => {
  const url = server.httpUrl('live/again.m3u8');
  const watcher = new HlsWatcher(url);
  watcher.start();
  let firstRun: number[];
  try {
    await publishFor(watcher, 3);
    const ended = watcher.last!;
    assert.equal(ended.ended, true);
    firstRun = ended.segments.map((s) => s.sequence);
    const lastFirst = firstRun.at(-1)!;
    // With a long dispose the files stay between the publishes.
    for (const s of ended.segments) assert.ok(existsSync(join(server.dir, 'html', 'live', s.uri)), `${s.uri} kept for the republish`);
    await sleep(1000);

    const versions = watcher.playlists.length;
    await publishFor(watcher, 3);
    await sleep(500);
    const later = watcher.playlists.slice(versions).map((p) => p.parsed);
    // The first playlist of the second run: the old window, then the join.
    const joined = later.find((p) => p.segments.some((s) => s.sequence > lastFirst))!;
    assert.ok(joined, 'no playlist from the second publish');
    assert.equal(joined.ended, false, 'the live playlist of the republish still says ENDLIST');
    const first = joined.segments.find((s) => s.sequence === lastFirst + 1);
    assert.ok(first, `the republish does not go on at ${lastFirst + 1}: ${joined.segments.map((s) => s.sequence)}`);
    assert.equal(first.uri, `again-${lastFirst + 1}.ts`);
    assert.equal(first.discontinuity, true, `no EXT-X-DISCONTINUITY before the first segment of the republish:\n${watcher.playlists[versions]!.text}`);
    assert.ok(joined.segments.some((s) => s.sequence === lastFirst), 'the window keeps the segments of the first publish');
    const joins = joined.segments.filter((s) => s.discontinuity && s.sequence > 0).map((s) => s.sequence);
    assert.deepEqual(joins, [lastFirst + 1], 'discontinuities only at the join');
    // Segments of the republish that are not at the join carry no discontinuity.
    const final = watcher.last!;
    assert.equal(final.ended, true);
    for (const s of final.segments) if (s.sequence > lastFirst + 1) assert.equal(s.discontinuity, false, `discontinuity on ${s.uri}`);
    // The playlist over the join is still playable.
    const streams = await ffprobeStreams(url);
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  } finally {
    await watcher.stop();
  }
  assert.deepEqual(watcher.problems, [], 'a player saw something it should not have');
  const all = [...watcher.segments.keys()].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i), 'every sequence number from 0, once, no gaps');
  assert.ok(all.length >= firstRun.length + 3);
});
