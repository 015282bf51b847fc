// media.max_memory reached: a server whose pool holds 64 blocks of 64 KB. One
// stream has a player that never reads; more streams are published, each with a player,
// until the pool is nearly full. Then: the laggard is skipped or dropped, a new publish
// is refused (our client sees NetStream.Publish.BadName, the log says the media memory
// is full), the server keeps running, the streams already live keep playing, and once
// they have ended a new publish works again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sendFile, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { until, sleep } from '../helpers/clients.ts';
import { RtmpPlayer } from '../../bench/load-client/rtmp-player.ts';
import { FlvReplayPublisher, loadFlv } from '../../bench/publisher/flv-replay-publisher.ts';

const BLOCK = 65536;
const BLOCKS = 64;
const MAX_STREAMS = 40;

let server: TestServer;
before(async () => {
  server = await startServer({
    // one worker: the laggard and its companion share one fan-out
    workers: 1,
    vhost: { queue_length: 4 },
    config: { media: { block_size: BLOCK, max_memory: BLOCK * BLOCKS } },
  });
});
after(async () => {
  await server.stop();
});

interface Pool { block_size: number; blocks: number; in_use: number; peak: number; failed: number }

async function pool(): Promise<Pool> {
  return ((await (await server.api('/api/v1/summaries')).json()) as { data: { pool: Pool } }).data.pool;
}

async function counter(name: string): Promise<number> {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await server.api('/metrics')).text());
  return m ? Number(m[1]) : 0;
}

/** Publishes `file` in a loop at real time until stopped (each pass continues the timestamps). */
function loopFile(pub: Recorded, file: string, stop: () => boolean): Promise<void> {
  return (async () => {
    for (let base = 0; !stop() && pub.client.closedReason === null; base += 30_040) {
      await sendFile(pub.client, file, { realtime: true, startMs: base, stop }).catch(() => {});
    }
  })();
}

test('a full pool skips the laggard, then refuses new publishes; live streams go on; room comes back when they end', { timeout: 120_000 }, async (t) => {
  const readBuffer = Buffer.alloc(256 * 1024);
  const target = (stream: string) => ({ host: '127.0.0.1', port: server.rtmpPort, app: 'live', stream });
  const players: RtmpPlayer[] = [];
  const publishers: Recorded[] = [];
  const feeds: Promise<void>[] = [];
  let stopping = false;
  // The laggard's stream: 1 Mbit/s at 6x real time, a player that never reads.
  const stuck = new RtmpPlayer(target('m0'), { readBuffer });
  // and a player of the same stream that reads everything (same worker fan-out as the laggard or not)
  const companion = new RtmpPlayer(target('m0'), { readBuffer, record: true });
  const fast = new FlvReplayPublisher(target('m0'), loadFlv(MEDIA + 'av-1mbps.flv'), { loop: true, speed: 6 });
  try {
    await until(() => stuck.mediaCount > 0 && companion.mediaCount > 0, 10_000, 'the laggard and its companion to get their first media');
    stuck.socket.pause();
    await until(async () => (await pool()).in_use >= BLOCKS / 4, 20_000, 'the laggard\'s stream to hold a quarter of the pool');

    // More streams, one at a time, each with a player that came first, until one is refused.
    let refused: Error | null = null;
    let refusedAt = -1;
    for (let i = 1; i <= MAX_STREAMS && !refused; i++) {
      const player = new RtmpPlayer(target(`m${i}`), { readBuffer });
      players.push(player);
      await until(() => player.playing, 10_000, `player ${i} to ask for its stream`);
      const pub = await connectRecorded(server.rtmpUrl('live'));
      try {
        await pub.client.publish(`m${i}`);
        publishers.push(pub);
        feeds.push(loopFile(pub, 'av-200kbps.flv', () => stopping));
        await sleep(400);
      } catch (err) {
        refused = err as Error;
        refusedAt = i;
        await pub.client.close().catch(() => {});
        players.pop()!.close();
      }
    }
    const figures = await pool();
    assert.ok(refused, `no publish was refused with ${MAX_STREAMS} streams live; pool ${JSON.stringify(figures)}`);
    assert.match(refused.message, /NetStream\.Publish\.BadName/);
    await server.waitForLog(/media memory is full/, 2000);
    assert.ok(refusedAt > 1, 'at least one stream was accepted before the refusal');

    // The laggard was skipped ahead or dropped.
    await until(async () => (await counter('sluice_players_skipped_total')) + (await counter('sluice_players_dropped_total')) > 0 || stuck.isClosed, 15_000, 'the laggard to be skipped or dropped');

    // The streams already live keep playing.
    const before = players.map((p) => p.mediaCount);
    await sleep(2500);
    const stalled = players.map((p, i) => ({ stream: `m${i + 1}`, before: before[i]!, now: p.mediaCount, closed: p.isClosed, error: p.error }))
      .filter((p) => p.now <= p.before || p.closed);
    assert.deepEqual(stalled, [], `live streams stopped playing after the refusal; pool ${JSON.stringify(await pool())}`);
    assert.equal(server.proc.exitCode, null, 'the server is running');
    // The laggard's companion, which reads everything, went on too, never sent back in time.
    const videoTs = companion.frames!.filter((f) => f.type === 9).map((f) => f.ts);
    const back = videoTs.findIndex((ts, i) => i > 0 && ts < videoTs[i - 1]!);
    const companionState = { closed: companion.isClosed, error: companion.error, videoFrames: videoTs.length, backAt: back, tsBefore: videoTs[back - 1], tsAfter: videoTs[back] };
    t.diagnostic(`laggard's companion: ${JSON.stringify(companionState)}`);
    t.diagnostic(`refused at stream ${refusedAt}; pool then ${JSON.stringify(figures)}; skipped ${await counter('sluice_players_skipped_total')}, dropped ${await counter('sluice_players_dropped_total')}, laggard closed ${stuck.isClosed}`);
    assert.equal(companion.isClosed, false, `the player reading the laggard's stream was dropped; ${JSON.stringify(companionState)}\n${server.logs().split('\n').filter((l) => /cannot keep up|stopped reading|lagged/.test(l)).slice(0, 5).join('\n')}`);
    assert.equal(back, -1, `the laggard's companion got video ts ${videoTs[back]} after ${videoTs[back - 1]} (sent back in time)`);
  } finally {
    stopping = true;
    fast.stop();
    stuck.close();
    companion.close();
    for (const p of players) p.close();
    await Promise.all(publishers.map((p) => p.client.close().catch(() => {})));
    await Promise.all(feeds);
  }

  // Those streams ended: the blocks come back and a new publish is accepted.
  await until(async () => (await pool()).in_use === 0, 15_000, 'every block back').catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(await pool())}`);
  });
  const again = await connectRecorded(server.rtmpUrl('live'));
  try {
    await again.client.publish('again');
    await sendFile(again.client, 'av-200kbps.flv', { limitMs: 2000 });
  } finally {
    await again.client.close();
  }
  assert.equal(server.proc.exitCode, null, 'the server never stopped');
  assert.doesNotMatch(server.logs(), /"level":(50|60)/, 'no error or fatal line in the log');
});
