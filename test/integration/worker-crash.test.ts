import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { until, sleep } from '../helpers/clients.ts';
import { RtmpPlayer } from '../../bench/load-client/rtmp-player.ts';
import { FlvReplayPublisher, loadFlv, type FlvSource } from '../../bench/publisher/flv-replay-publisher.ts';

// Worker 1 throws this long after the process started (a test hook of worker-root.ts).
const CRASH_AFTER_MS = 12000;
let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2, env: { SLUICE_TEST_HOOKS: '1', SLUICE_TEST_CRASH_AFTER_MS: String(CRASH_AFTER_MS) } });
});
after(async () => {
  await server.stop();
});

function workerOf(logs: string, client: string, msg: string): number {
  for (const line of logs.split('\n')) {
    if (line.includes(`"${msg}"`) && line.includes(`"client":"${client}"`)) return Number(/"worker":(\d+)/.exec(line)?.[1] ?? 0);
  }
  return 0;
}

/** Publishes until the kernel happens to hand the publisher to `worker`. */
async function publishOn(worker: number, target: { host: string; port: number; app: string; stream: string }, src: FlvSource): Promise<FlvReplayPublisher> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = (server.logs().match(/"publish started"/g) ?? []).length;
    const pub = new FlvReplayPublisher(target, src, { loop: true });
    await until(() => (server.logs().match(/"publish started"/g) ?? []).length > before, 5000, 'publish started');
    const line = server.logs().split('\n').filter((l) => l.includes('"publish started"')).at(-1)!;
    if (worker === 0 || line.includes(`"worker":${worker}`)) return pub;
    pub.stop();
    await until(() => /"unpublished"|rtmp connection closed/.test(server.logs().split('\n').slice(-3).join('\n')), 3000, 'unpublish').catch(() => {});
    await sleep(100);
  }
  throw new Error(`could not get a publisher onto worker ${worker}`);
}

test('a worker dies mid-stream: the server goes on, the stream ends for players elsewhere, a republish reaches them again', async (t) => {
  const src = loadFlv(MEDIA + 'av-1mbps.flv');
  const target = { host: '127.0.0.1', port: server.rtmpPort, app: 'live', stream: 'crash' };
  const readBuffer = Buffer.alloc(256 * 1024);
  const players: RtmpPlayer[] = [];
  const pubs: FlvReplayPublisher[] = [];
  try {
    pubs.push(await publishOn(1, target, src));
    // Players until at least two sit on worker 2 (the one that survives).
    let onTwo: RtmpPlayer[] = [];
    while (onTwo.length < 2 && players.length < 30) {
      const p = new RtmpPlayer(target, { readBuffer });
      players.push(p);
      await until(() => p.clientId && workerOf(server.logs(), p.clientId, 'play started'), 5000, 'play started');
      onTwo = players.filter((q) => workerOf(server.logs(), q.clientId, 'play started') === 2);
    }
    assert.ok(onTwo.length >= 2, 'no players landed on worker 2');
    await until(() => onTwo.every((p) => p.mediaCount > 0), 5000, 'media on worker 2');
    assert.ok(!pubs[0].socket.destroyed, 'the publisher was closed before the crash: raise CRASH_AFTER_MS');

    // The crash: worker 1 and its publisher go away.
    await until(() => pubs[0].socket.destroyed, CRASH_AFTER_MS + 10000, 'the publisher connection to end with worker 1');
    for (const p of onTwo) {
      await until(() => p.statusCodes.includes('NetStream.Play.UnpublishNotify') || (p.isClosed && !p.error), 10000, 'the stream to end on worker 2');
    }
    assert.equal(server.proc.exitCode, null, 'the server exited');
    await server.waitForLog(/"worker":1[^\n]*"worker died"/, 5000);
    t.diagnostic(`worker 2 players: ${onTwo.filter((p) => p.statusCodes.includes('NetStream.Play.UnpublishNotify')).length} got UnpublishNotify, ` +
      `${onTwo.filter((p) => p.isClosed).length} closed, of ${onTwo.length}`);
    const alive = onTwo.filter((p) => !p.isClosed);
    assert.ok(alive.length > 0, 'every player on worker 2 was closed: they should stay for a republish');

    // A republish (on whichever worker) reaches them again.
    await sleep(500);
    const counts = alive.map((p) => p.mediaCount);
    pubs.push(await publishOn(0, target, src));
    await until(() => alive.every((p, i) => p.mediaCount > counts[i] + 50), 15000, 'media after the republish');
    // And new players, on any worker, play it too.
    const late = new RtmpPlayer(target, { readBuffer });
    players.push(late);
    await until(() => late.mediaCount > 10, 10000, 'a new player to get media');
  } finally {
    for (const p of pubs) p.stop();
    for (const p of players) p.close();
  }
});
