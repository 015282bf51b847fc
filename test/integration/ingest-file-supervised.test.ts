import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { ffprobeStreams, until } from '../helpers/clients.ts';

let server: TestServer;

before(async () => {
  server = await startServer({
    workers: 2,
    vhost: { ingest: [{ id: 'ing', input: { type: 'file', url: `${MEDIA}av-200kbps.flv` }, engines: [{ name: 'copy', vcodec: 'copy', acodec: 'copy' }] }] },
  });
});

after(async () => {
  await server.stop();
});

async function assertPlays(): Promise<void> {
  const streams = await ffprobeStreams(server.rtmpUrl('live/ing'));
  assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('an ingested file plays; its ffmpeg, killed, comes back and the stream plays again', async () => {
  await until(() => /ing","msg":"publish started"/.test(server.logs()), 15000, 'the ingest publishes');
  await assertPlays();
  const first = childPids()[0];
  assert.ok(first && alive(first), `ffmpeg pid ${first}`);
  process.kill(first, 'SIGKILL');
  await until(() => childPids().length >= 2, 8000, 'a restarted ffmpeg');
  const second = childPids()[1]!;
  assert.notEqual(second, first);
  assert.ok(alive(second));
  await until(() => (server.logs().match(/ing","msg":"publish started"/g) ?? []).length >= 2, 10000, 'the ingest publishes again');
  await assertPlays();
  const code = await server.stop();
  assert.equal(code, 0);
  await until(() => !alive(second), 5000, 'ffmpeg gone with the server');
});

/** The ingest's ffmpeg PIDs, in start order, from the server's "process started" lines. */
function childPids(): number[] {
  return server.logs().split('\n')
    .filter((l) => l.includes('"msg":"process started"') && l.includes('ingest __defaultVhost__/ing'))
    .map((l) => (JSON.parse(l) as { childPid: number }).childPid);
}
