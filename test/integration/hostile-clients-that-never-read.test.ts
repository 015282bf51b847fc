// Clients that stop reading: a publisher that never reads costs nothing, a player that
// never reads is dropped; others keep receiving and the server's memory stays bounded.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.ts';
import { startWatchedServer, stopWatchedServer } from '../fixtures/rtmp/watched-server.ts';
import { publish, until, type Proc } from '../helpers/clients.ts';
import { connectRecorded, flvTags, rssKiB, sendFile, sleep, type Recorded } from '../fixtures/rtmp/our-clients.ts';

let server: TestServer;
let feeder: Proc;
let watcher: Recorded;

before(async () => {
  ({ server, feeder, watcher } = await startWatchedServer());
});
after(async () => {
  await stopWatchedServer({ server, feeder, watcher });
});

async function othersUnharmed(): Promise<void> {
  assert.equal(server.proc.exitCode, null, 'server alive');
  const ts = watcher.media().at(-1)!.timestamp;
  await until(() => watcher.media().at(-1)!.timestamp > ts + 300, 5000, 'watcher timestamps advance');
  assert.equal(watcher.client.closedReason, null, 'watcher still connected');
}

test('a publisher that never reads what the server sends still publishes; others are unharmed', async () => {
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('deafpub');
  pub.client.socket.pause();
  const player = await connectRecorded(server.rtmpUrl('live'));
  try {
    const started = await player.client.play('deafpub');
    // attached to the stream's fan-out before the flood (it lands in a fraction of a second)
    const id = String(started.info['clientid']);
    await until(() => server.logs().split('\n').some((l) => l.includes('"play started"') && l.includes(id)), 5000, 'play started');
    // Well past the server's 2.5 MB acknowledgement window, so it writes Acks nobody reads.
    const tags = flvTags('av-1mbps.flv');
    // At 15x real time: fast, but never more than queue_length ahead of a player that reads.
    for (let loop = 0; loop < 2; loop++) await sendFile(pub.client, 'av-1mbps.flv', { startMs: loop * (tags.at(-1)!.timestamp + 40), realtime: true, speed: 15 });
    await until(() => player.media().length > 100, 10000, 'player of the deaf publisher receives');
    await othersUnharmed();
  } finally {
    pub.client.destroy();
    await player.client.close();
  }
});

test('a player that never reads is dropped with a warn line; memory stays bounded; others keep receiving', async () => {
  const rssBefore = rssKiB(server.proc.pid!);
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('flood');
  const deaf = await connectRecorded(server.rtmpUrl('live'));
  const start = await deaf.client.play('flood');
  const deafId = String(start.info['clientid']);
  deaf.client.socket.pause();
  let maxRss = rssBefore;
  // The session's close line, or the fan-out's drop line, for this player.
  const dropped = (): boolean =>
    server.logs().split('\n').some((l) => l.includes('"level":40') && (l.includes(`"client":"${deafId}"`) || (l.includes(deafId) && /drop/i.test(l))));
  try {
    const tags = flvTags('av-1mbps.flv');
    const span = tags.at(-1)!.timestamp + 40;
    // Loops of 3.8 MB (30 s of media), as fast as the server takes them, for up to 20 s
    // (about 5 minutes of media: far past queue_length), until the deaf player is dropped.
    const t0 = Date.now();
    for (let loop = 0; Date.now() - t0 < 20000 && !dropped(); loop++) {
      await sendFile(pub.client, 'av-1mbps.flv', { startMs: loop * span });
      maxRss = Math.max(maxRss, rssKiB(server.proc.pid!));
      await sleep(50);
    }
    await until(dropped, 5000, `the deaf player ${deafId} dropped`).catch((e: Error) => {
      throw new Error(`${e.message}; RSS +${maxRss - rssBefore} KiB\n${server.logs().split("\n").filter((l) => l.includes("flood") || l.includes(deafId)).slice(-8).join("\n")}`);
    });
    assert.ok(maxRss - rssBefore < 400 * 1024, `server RSS grew by ${maxRss - rssBefore} KiB`);
    await othersUnharmed();
  } finally {
    deaf.client.destroy();
    await pub.client.close();
  }
});
