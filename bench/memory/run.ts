// Memory per player: one worker, a looped 200 kbit/s publisher, then 1,000 and 3,000
// RTMP players (our client; after play they discard what they receive). Prints the
// worker's V8 heap (from /metrics) and the process RSS, and the growth per player.
//   ./node_modules/.bin/node bench/memory/run.ts
import { startServer } from '../../test/helpers/server.ts';
import { publish, sleep } from '../../test/helpers/clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { readFileSync } from 'node:fs';

const server = await startServer({ workers: 1, config: { max_connections: 10000 } });
const pub = publish(server.rtmpUrl('live/m'), 'av-200kbps.flv', { loop: true });
await server.waitForLog(/publish started/);
async function sample(label: string) {
  await sleep(3000);
  const text = await (await fetch(`http://127.0.0.1:${server.apiPort}/metrics`)).text();
  const heap = Number(/sluice_worker_heap_used_bytes\{worker="1"\} (\d+)/.exec(text)?.[1]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))?.[1]) * 1024;
  const players = Number(/sluice_players (\d+)/.exec(text)?.[1]);
  console.log(label, 'players', players, 'heap MB', (heap / 1e6).toFixed(1), 'rss MB', (rss / 1e6).toFixed(1));
  return { heap, rss, players };
}
// Whatever happens, the server and the publisher are stopped (by PID) at the end.
const clients: RtmpClient[] = [];
try {
  const base = await sample('base');
  for (const target of [1000, 3000]) {
    while (clients.length < target) {
      const batch = [];
      for (let i = 0; i < 100; i++) batch.push(RtmpClient.connect(server.rtmpUrl('live')).then(async (c) => { await c.play('m'); c.socket.removeAllListeners('data'); c.socket.on('data', () => {}); return c; }));
      clients.push(...(await Promise.all(batch)));
    }
    const s = await sample(`n=${target}`);
    console.log(`  per player: heap ${((s.heap - base.heap) / target / 1024).toFixed(1)} KB, rss ${((s.rss - base.rss) / target / 1024).toFixed(1)} KB`);
  }
} finally {
  for (const c of clients) c.destroy();
  await pub.stop();
  await server.stop();
}
