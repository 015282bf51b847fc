// HLS and DVR files are written by the process's file-work pool, never by the worker that
// owns the players' sockets. The slow disk here is a FIFO where the recording should go:
// opening it for writing blocks in open(2) until someone reads it, for as long as we like.
// Done on the worker (as it once was), that open froze every connection of the worker;
// done by the pool, it holds one pool thread, while the same worker goes on serving an
// RTMP player and the other pool thread goes on writing the stream's HLS files.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { ffprobePackets, ffprobeStreams, publish, until } from '../helpers/clients.ts';

let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 1,
    vhost: {
      hls: { enabled: true, path: './hls', fragment: 1, window: 4 },
      dvr: { enabled: true, plan: 'session', path: './dvr/[app]/[stream].flv' },
    },
  });
});

after(async () => {
  await server.stop();
});

test('a recording stuck on its disk holds up neither the players nor the HLS files of the same worker', async () => {
  const fifo = join(server.dir, 'dvr/live/stuck.flv');
  mkdirSync(join(server.dir, 'dvr/live'), { recursive: true });
  execFileSync('mkfifo', [fifo]);
  const pub = publish(server.rtmpUrl('live/stuck'), 'av-200kbps.flv', { loop: true, timeoutMs: 120_000 });
  let reader = -1;
  try {
    const playlist = join(server.dir, 'hls/live/stuck.m3u8');
    await until(() => existsSync(playlist) && /stuck-\d+\.ts/.test(readFileSync(playlist, 'utf8')), 30_000, 'an HLS segment listed while the recording is stuck');

    // An RTMP player on the only worker: six seconds of media, every frame in order.
    const packets = await ffprobePackets(server.rtmpUrl('live/stuck'), { readIntervals: '%+6', timeoutMs: 40_000 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => p.dts);
    assert.ok(video.length > 0, 'the player got video');
    assert.ok(video[video.length - 1]! - video[0]! >= 5000, `the player got ${video[video.length - 1]! - video[0]!} ms of video`);
    for (let i = 1; i < video.length; i++) assert.ok(video[i]! >= video[i - 1]!, 'video in order');
    assert.ok(packets.some((p) => p.codec_type === 'audio'), 'the player got audio');
    // The recording is still waiting for its disk: nothing said it stopped or closed.
    assert.doesNotMatch(server.logs(), /dvr stopped|dvr file closed/);

    // The disk comes back, as something no recording can be written to: open(2) returns,
    // the positioned write fails, and that is logged with the path; the server goes on.
    reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const line = await server.waitForLog(/dvr stopped: cannot write the recording/, 20_000);
    assert.equal(resolve(server.dir, (JSON.parse(line) as { file: string }).file), fifo);
    assert.match(server.logs(), /"file work failed"/);
    const streams = await ffprobeStreams(server.rtmpUrl('live/stuck'), 20_000);
    assert.deepEqual(streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  } finally {
    // Whatever happened, the pool's thread must not stay in open(2).
    if (reader < 0) reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await pub.stop();
    closeSync(reader);
  }
});
