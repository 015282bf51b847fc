// hls.js in Chromium (playwright-core, Debian's chromium, as the players page test) plays the
// fmp4 and low_latency variants from a real server (two workers) while ffmpeg publishes
// av-1mbps.flv with -re, and in low-latency mode stays within 3 s of the encoder.
//
// How latency is measured: ffmpeg -re sends media at real speed from media time 0, so at wall
// time T the encoder has sent at most (T - Tspawn) seconds of media (Tspawn taken just before
// ffmpeg is spawned; its start-up only makes the true figure smaller, so the estimate errs
// on the safe side). The player's position in media time is read from what it plays: the page
// reports video.currentTime and the fragment (sn, start) hls.js has at the playhead; the test
// reads that segment's first part from the server and takes its tfdt (the publisher's
// timestamp, which the server keeps: see hls-fmp4-from-the-server-keeps-source-timestamps)
// as the fragment's media start. latency = (T - Tspawn) - (tfdt + currentTime - frag.start).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, sleep, until, type Proc } from '../helpers/clients.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';

type Playhead = { time: number; sn: number | null; fragStart: number | null; errors: string[]; latency: number | null };

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function live(variant: 'fmp4' | 'low_latency'): Promise<{ server: TestServer; pub: Proc; spawnedAt: number }> {
  const server = await startServer({ workers: 2, vhost: { hls: { enabled: true, fragment: 2, window: 20, variant, part_ms: 200 } } });
  const spawnedAt = Date.now();
  const pub = publish(server.rtmpUrl('live/cam'), 'av-1mbps.flv', { timeoutMs: 60_000 });
  await until(async () => (await fetch(server.httpUrl('live/cam.m3u8')).catch(() => null))?.status === 200, 20_000, 'the playlist');
  return { server, pub, spawnedAt };
}

/** Opens a page of the server's origin and plays the stream with hls.js. */
async function play(server: TestServer, lowLatencyMode: boolean): Promise<{ page: Page; state: () => Promise<Playhead> }> {
  const page = await browser.newPage();
  await page.goto(server.httpUrl('players/'));
  await page.addScriptTag({ url: '/players/vendor/hls.min.js' });
  await page.evaluate(`(() => {
    document.body.innerHTML = '<video id="v" muted playsinline></video>';
    const video = document.getElementById('v');
    window.errors = [];
    const hls = new Hls({ lowLatencyMode: ${lowLatencyMode}, enableWorker: false });
    window.hls = hls;
    hls.on(Hls.Events.ERROR, (_e, d) => window.errors.push((d.fatal ? 'fatal ' : '') + d.details));
    hls.loadSource('/live/cam.m3u8');
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => window.errors.push('play: ' + e.message)));
  })()`);
  const state = (): Promise<Playhead> =>
    page.evaluate(`(() => {
      const t = document.getElementById('v').currentTime;
      const d = window.hls.levels[window.hls.currentLevel]?.details;
      const inside = (x) => x && t >= x.start && t < x.start + x.duration;
      let f = d?.fragments.find(inside) ?? null;
      if (!f) f = d?.partList?.find(inside)?.fragment ?? null;
      return { time: t, sn: f ? f.sn : null, fragStart: f ? f.start : null, errors: window.errors, latency: window.hls.latency ?? null };
    })()`);
  return { page, state };
}

/** Seconds of media before the playhead, from the segment's tfdt on the server. */
async function mediaTimeOf(server: TestServer, p: Playhead, timescales: Map<number, number>): Promise<number | null> {
  if (p.sn === null || p.fragStart === null) return null;
  const r = await fetch(server.httpUrl(`live/cam-${p.sn}.0.m4s`));
  if (r.status !== 200) return null;
  const trafs = readFragments(new Uint8Array(await r.arrayBuffer())).flatMap((f) => f.trafs);
  const start = Math.min(...trafs.map((t) => t.baseMediaDecodeTime / timescales.get(t.tfhd.trackId)!));
  return start + (p.time - p.fragStart);
}

describe('hls.js in Chromium plays the server', { timeout: 150_000 }, () => {
  it('plays the fmp4 variant (init.mp4 + .m4s, EXT-X-MAP)', async () => {
    const { server, pub } = await live('fmp4');
    try {
      const { page, state } = await play(server, false);
      const first = (await until(async () => ((await state()).time > 0.3 ? state() : null), 30_000, 'fmp4 playback to start'))!;
      await sleep(6000);
      const s = await state();
      await page.close();
      assert.deepEqual(s.errors.filter((e) => e.startsWith('fatal')), []);
      assert.ok(s.time - first.time > 4, `played ${s.time - first.time} s in 6 s`);
    } finally {
      await pub.stop();
      await server.stop();
    }
  });

  it('plays the low_latency variant within 3 s of the encoder', async (t) => {
    const { server, pub, spawnedAt } = await live('low_latency');
    try {
      const text = await (await fetch(server.httpUrl('live/cam.m3u8'))).text();
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1]!;
      const tracks = readInitSegment(new Uint8Array(await (await fetch(server.httpUrl(`live/${init}`))).arrayBuffer())).tracks;
      const timescales = new Map(tracks.map((x) => [x.header.trackId, x.media.timescale]));
      const { page, state } = await play(server, true);
      const first = (await until(async () => ((await state()).time > 0.3 ? state() : null), 30_000, 'low-latency playback to start'))!;
      await sleep(3000); // hls.js settles on its target latency (PART-HOLD-BACK)
      const latencies: number[] = [];
      for (let i = 0; i < 8; i++) {
        const p = await state();
        const encoder = (Date.now() - spawnedAt) / 1000;
        const media = await mediaTimeOf(server, p, timescales);
        if (media !== null) latencies.push(encoder - media);
        await sleep(1000);
      }
      const s = await state();
      await page.close();
      t.diagnostic(`latency behind the encoder: ${latencies.map((l) => l.toFixed(2)).join(' ')} s; hls.js latency ${s.latency?.toFixed(2)} s; errors [${s.errors.join(', ')}]`);
      assert.deepEqual(s.errors.filter((e) => e.startsWith('fatal')), []);
      assert.ok(s.time - first.time > 8, `played ${s.time - first.time} s in about 11 s`);
      assert.ok(latencies.length >= 6, `measured ${latencies.length} times`);
      assert.ok(Math.max(...latencies) < 3, `latency ${Math.max(...latencies).toFixed(2)} s`);
      assert.ok(Math.min(...latencies) > 0, 'the player is not ahead of the encoder (the method holds)');
    } finally {
      await pub.stop();
      await server.stop();
    }
  });
});
