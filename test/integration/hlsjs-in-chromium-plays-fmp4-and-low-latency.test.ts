// hls.js in Chromium (playwright-core driving Debian's /usr/bin/chromium) plays what the
// fMP4 codecs make of av-bframes.flv: first the finished fMP4 playlist, then a live
// low-latency playlist whose 200 ms parts are published in real time by a test origin that
// answers blocking reloads. Playback must advance (video.currentTime), hls.js must report no
// error, and in low-latency mode it must hold within a few seconds of the live edge.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { flvToCmaf } from '../helpers/flv-to-cmaf.ts';
import { startHlsTestOrigin, type HlsTestOrigin } from '../helpers/hls-test-origin.ts';

const PART_MS = 200;
const out = flvToCmaf(readFileSync('/work/shared/media/av-bframes.flv'), { fragment: 2, partMs: PART_MS });
const codecs = out.tracks.map((t) => t.codec).join(',');

let browser: Browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    timeout: 30_000,
  });
});
after(async () => {
  await browser?.close();
});

type PlayerState = { time: number; latency: number | null; errors: string[]; fragsParsed: number; supported: boolean };

/** Opens the page, starts hls.js on the playlist and returns a reader of its state. */
async function play(origin: HlsTestOrigin, lowLatency: boolean): Promise<{ page: Page; state: () => Promise<PlayerState> }> {
  const page = await browser.newPage();
  if (process.env.HLSJS_DEBUG) page.on('console', (m) => console.log('[page]', m.text().slice(0, 300)));
  await page.goto(`${origin.url}/index.html${process.env.HLSJS_DEBUG ? '?debug' : ''}`);
  // Page code as text: the project's TypeScript has no DOM types.
  await page.evaluate(`(() => {
    const video = document.getElementById('v');
    window.errors = [];
    window.fragsParsed = 0;
    window.supported = MediaSource.isTypeSupported('video/mp4; codecs="${codecs}"');
    const hls = new Hls({ lowLatencyMode: ${lowLatency}, enableWorker: false, debug: location.search.includes('debug') });
    window.hls = hls;
    hls.on(Hls.Events.ERROR, (_e, d) => window.errors.push((d.fatal ? 'fatal ' : '') + d.details));
    hls.on(Hls.Events.FRAG_PARSED, () => window.fragsParsed++);
    hls.loadSource('/index.m3u8');
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch((e) => window.errors.push('play: ' + e.message)));
  })()`);
  const state = (): Promise<PlayerState> =>
    page.evaluate(`({
      time: document.getElementById('v').currentTime,
      latency: window.hls.latency ?? null,
      errors: window.errors,
      fragsParsed: window.fragsParsed,
      supported: window.supported,
    })`);
  return { page, state };
}

async function waitFor(state: () => Promise<PlayerState>, ok: (s: PlayerState) => boolean, ms: number): Promise<PlayerState> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await state();
    if (ok(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('hls.js in Chromium', { timeout: 90_000 }, () => {
  it(`the browser can decode ${codecs} through MediaSource`, async () => {
    const page = await browser.newPage();
    const supported = await page.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="${codecs}"')`);
    await page.close();
    assert.equal(supported, true, 'Debian chromium without H.264 would fall back to checking FRAG_PARSED only');
  });

  it('plays the fMP4 playlist (EXT-X-MAP, ENDLIST): currentTime passes 3 s', async () => {
    const origin = await startHlsTestOrigin(out, 'vod', PART_MS);
    try {
      const { page, state } = await play(origin, false);
      const s = await waitFor(state, (x) => x.time > 3 || x.errors.some((e) => e.startsWith('fatal')), 30_000);
      await page.close();
      // The one event allowed: hls.js skips the 67 ms before the first picture (B-frames put
      // the first PTS after the first DTS, and no edit list hides that).
      assert.deepEqual(s.errors.filter((e) => e !== 'bufferSeekOverHole'), []);
      assert.ok(s.fragsParsed > 0);
      assert.ok(s.time > 3, `currentTime ${s.time}`);
    } finally {
      await origin.close();
    }
  });

  it('plays the live low-latency playlist through blocking reloads, close to the live edge', async (t) => {
    const origin = await startHlsTestOrigin(out, 'live', PART_MS);
    try {
      const { page, state } = await play(origin, true);
      const first = await waitFor(state, (x) => x.time > 0.5, 20_000);
      assert.ok(first.time > 0.5, `playback started (currentTime ${first.time}, errors ${first.errors.join('; ')})`);
      await new Promise((r) => setTimeout(r, 4000));
      const s = await state();
      t.diagnostic(`after 4 s: played ${(s.time - first.time).toFixed(2)} s, hls.js latency ${s.latency?.toFixed(2)} s, errors [${s.errors.join(', ')}]`);
      await page.close();
      assert.deepEqual(s.errors.filter((e) => e !== 'bufferSeekOverHole'), []);
      // Real time is 4 s; the player may slow down a little to keep its target latency.
      assert.ok(s.time - first.time > 2.5, `played ${s.time - first.time} s in 4 s`);
      // The player asked for parts and blocked on _HLS_msn/_HLS_part; nothing was refused.
      assert.ok(origin.requests.some((r) => /_HLS_msn=\d+&_HLS_part=\d+/.test(r)), origin.requests.slice(0, 20).join(' '));
      assert.ok(origin.requests.some((r) => /^\/seg-\d+\.\d+\.m4s$/.test(r)));
      assert.equal(origin.badRequests, 0);
      assert.ok(s.latency !== null && s.latency < 2.5, `latency ${s.latency} s`);
    } finally {
      await origin.close();
    }
  });
});
