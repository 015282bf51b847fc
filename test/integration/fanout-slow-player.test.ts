import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { until, sleep } from '../helpers/clients.ts';
import { RtmpPlayer } from '../../bench/load-client/rtmp-player.ts';
import { FlvReplayPublisher, loadFlv } from '../../bench/publisher/flv-replay-publisher.ts';

// 3x real time, so the stuck player's backlog (kernel buffers, then the ring) fills in
// seconds rather than a minute.
const SPEED = 3;
let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1, vhost: { queue_length: 2 } });
});
after(async () => {
  await server.stop();
});

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

test('a player that never reads does not slow the others, is dropped, and memory stays bounded', async () => {
  const target = { host: '127.0.0.1', port: server.rtmpPort, app: 'live', stream: 'slow' };
  const readBuffer = Buffer.alloc(256 * 1024);
  const pub = new FlvReplayPublisher(target, loadFlv(MEDIA + 'av-1mbps.flv'), { loop: true, speed: SPEED });
  const good: RtmpPlayer[] = [];
  let stuck: RtmpPlayer | null = null;
  try {
    for (let i = 0; i < 3; i++) good.push(new RtmpPlayer(target, { readBuffer }));
    stuck = new RtmpPlayer(target, { readBuffer });
    const s = stuck;
    await until(() => s.mediaCount > 0 && good.every((p) => p.mediaCount > 0), 10000, 'media to flow');
    s.socket.pause(); // never reads again
    const baseline = rssMB(server.proc.pid!);
    let maxRss = baseline;
    const t0 = performance.now();
    for (const p of good) p.mark(t0);

    const dropped = /"rtmp connection closed"/;
    const deadline = Date.now() + 45000;
    let droppedAt = 0;
    while (Date.now() < deadline) {
      await sleep(500);
      maxRss = Math.max(maxRss, rssMB(server.proc.pid!));
      const now = performance.now();
      // Each healthy player's media time keeps pace with wall time (the publisher runs at 3x).
      if (now - t0 > 3000) for (const p of good) assert.ok(p.keepingUp(now, 0.9), `a healthy player fell behind: ${p.lastTs - p.markTs} ms of media in ${(now - t0).toFixed(0)} ms`);
      if (!droppedAt && server.logs().split('\n').some((l) => dropped.test(l) && l.includes(s.clientId))) droppedAt = Date.now();
      if (droppedAt && Date.now() - droppedAt > 3000) break;
    }
    assert.ok(droppedAt, `the stuck player ${s.clientId} was not dropped in 45 s:\n${server.logs().slice(-2000)}`);
    const line = server.logs().split('\n').find((l) => dropped.test(l) && l.includes(s.clientId))!;
    assert.match(line, /"level":40/);
    for (const p of good) assert.equal(p.isClosed, false, 'a healthy player was dropped');
    // The stuck player cost at most its bounded backlog, not a growing queue.
    assert.ok(maxRss - baseline < 120, `server RSS grew by ${(maxRss - baseline).toFixed(0)} MB`);
  } finally {
    pub.stop();
    for (const p of good) p.close();
    stuck?.close();
  }
});
