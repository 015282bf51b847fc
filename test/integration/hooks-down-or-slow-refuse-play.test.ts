// A hook server that is down, or one that never answers, refuses on_play (the second
// within about 5 s), while a player of another stream on the same server keeps
// receiving media the whole time: hooks never block other clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, run, until } from '../helpers/clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';

let server: TestServer;
let hooks: HookReceiver;

before(async () => {
  // Default vhost: on_play hangs for stream "slow", allows the rest. Vhost down.test:
  // its hook server is not listening.
  hooks = await startHookReceiver((hit) => (hit.body.stream === 'slow' ? 'hang' : '0'));
  const downPort = await freePort();
  server = await startServer({
    workers: 1,
    config: {
      vhosts: {
        __defaultVhost__: { hls: { enabled: false }, http_hooks: { enabled: true, on_play: [`${hooks.url}/on_play`] } },
        'down.test': { hls: { enabled: false }, http_hooks: { enabled: true, on_play: [`http://127.0.0.1:${downPort}/on_play`] } },
      },
    },
  });
  await waitForPort(server.apiPort);
});

after(async () => {
  await server.stop();
  await hooks.close();
});

/** Reads an HTTP-FLV stream, noting when bytes arrive. */
function watchFlv(url: string) {
  const ctrl = new AbortController();
  const arrivals: number[] = [];
  let total = 0;
  const done = (async () => {
    const res = await fetch(url, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      total += r.value.length;
      arrivals.push(Date.now());
    }
  })().catch(() => {});
  return { arrivals, bytes: () => total, stop: async () => { ctrl.abort(); await done; } };
}

/** Largest gap between arrivals within [from, to], ms. */
function largestGap(arrivals: number[], from: number, to: number): number {
  let last = from;
  let gap = 0;
  for (const t of arrivals) {
    if (t < from || t > to) continue;
    gap = Math.max(gap, t - last);
    last = t;
  }
  return Math.max(gap, to - last);
}

function refusedPlayer(url: string) {
  const t0 = Date.now();
  const p = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '15000000', '-i', url, '-t', '2', '-f', 'null', '-'], 20000);
  return p.done.then((r) => ({ ...r, ms: Date.now() - t0 }));
}

test('a hanging hook refuses on_play after about 5 s; a hook server that is down refuses at once; other players go on', async () => {
  const pub = publish(server.rtmpUrl('live/ok'), 'av-1mbps.flv', { loop: true });
  const viewer = watchFlv(server.httpUrl('live/ok.flv'));
  try {
    await until(() => viewer.bytes() > 50_000, 15000, 'the viewer of live/ok receiving');

    const t0 = Date.now();
    const slow = await refusedPlayer(server.rtmpUrl('live/slow'));
    const t1 = Date.now();
    assert.notEqual(slow.code, 0, 'the player refused by a hanging hook fails');
    assert.ok(slow.ms >= 4500 && slow.ms < 8000, `refused after ${slow.ms} ms`);
    assert.ok(hooks.hits.some((h) => h.body.action === 'on_play' && h.body.stream === 'slow'));
    const gap = largestGap(viewer.arrivals, t0, t1);
    assert.ok(gap < 1500, `the other viewer waited ${gap} ms for media while the hook hung`);

    const down = await refusedPlayer(`rtmp://127.0.0.1:${server.rtmpPort}/live/any?vhost=down.test`);
    assert.notEqual(down.code, 0, 'the player refused by a hook server that is down fails');
    assert.ok(down.ms < 4000, `refused after ${down.ms} ms`);

    const metrics = await (await server.api('/metrics')).text();
    assert.match(metrics, /sluice_hook_calls_total\{event="on_play",result="timeout"\} 1/);
    assert.match(metrics, /sluice_hook_calls_total\{event="on_play",result="error"\} 1/);
    assert.match(server.logs(), /refused by the on_play hook/);
  } finally {
    await viewer.stop();
    await pub.stop();
  }
});
