// The players page in a real browser: with ffmpeg publishing, /players/
// plays HTTP-FLV (mpegts.js) and HLS (hls.js) muted at once, the video's clock runs at
// about real time, and the page shows what it plays. The libraries come from the
// server (node_modules), and /players/ works though http_server.dir is a temp folder.
// The landing page lists the live stream with links to its players and the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until, sleep, type Proc } from '../helpers/clients.ts';
import { httpGet } from '../helpers/http-get.ts';
import { launchBrowser, screenshots, DESKTOP } from '../helpers/browser.ts';

const SHIPPED_HTML = new URL('../../html/', import.meta.url).pathname;

// The project type-checks without the DOM library: what the tests read of <video>.
interface VideoLike {
  currentTime: number;
  muted: boolean;
}

let server: TestServer;
let publisher: Proc;
let browser: Browser;

before(async () => {
  server = await startServer({ vhost: { hls: { enabled: true, path: './html', fragment: 2, window: 12 } } });
  publisher = publish(server.rtmpUrl('live/cam'), 'av-1mbps.flv', { loop: true, timeoutMs: 170000 });
  browser = await launchBrowser();
  // hls.js starts three segments from the live edge: wait until there are that many.
  await until(async () => {
    const r = await httpGet(server.httpUrl('live/cam.m3u8')).catch(() => null);
    return r?.status === 200 && (r.body.toString().match(/\.ts/g) ?? []).length >= 3;
  }, 30000, 'an HLS playlist with three segments');
});

after(async () => {
  await browser?.close();
  await publisher?.stop();
  await server?.stop();
});

async function videoTime(page: Page): Promise<number> {
  return page.$eval('video', (v) => (v as unknown as VideoLike).currentTime);
}

/** Opens the player and checks that its clock advances at least 5 s in 8 s of wall time. */
async function playsLive(type: 'flv' | 'hls'): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(server.httpUrl(`players/?app=live&stream=cam&type=${type}`));
  await until(async () => (await videoTime(page)) > 0.5, 20000, `${type} playback to start`);
  const t0 = await videoTime(page);
  await sleep(8000);
  const t1 = await videoTime(page);
  assert.ok(t1 - t0 >= 5, `${type}: currentTime went from ${t0} to ${t1} in 8 s`);
  assert.equal(await page.$eval('video', (v) => (v as unknown as VideoLike).muted), true, 'plays muted');
  assert.equal(await page.isVisible('#choose'), false, 'the stream form stays hidden while playing');
  assert.deepEqual(errors, [], 'no script errors');
  return page;
}

test('the page plays HTTP-FLV through mpegts.js and shows codecs, size, bitrate and latency', async () => {
  const page = await playsLive('flv');
  await until(async () => (await page.textContent('#stat-kbps')) !== '-', 5000, 'a bitrate');
  assert.match((await page.textContent('#stat-codecs')) ?? '', /avc1\.4d.*mp4a\.40/);
  assert.equal(await page.textContent('#stat-size'), '1280x720');
  assert.match((await page.textContent('#stat-kbps')) ?? '', /^\d+ kbit\/s$/);
  assert.match((await page.textContent('#stat-latency')) ?? '', /^\d+\.\d s$/);
  assert.equal(await page.inputValue('#url-rtmp'), `rtmp://127.0.0.1:${server.rtmpPort}/live/cam`);
  assert.equal(await page.inputValue('#url-media'), server.httpUrl('live/cam.flv'));
  assert.match((await page.getAttribute('#other-type', 'href')) ?? '', /type=hls/);
  await screenshots(page, 'players-flv');
  await page.close();
});

test('the page plays HLS through hls.js', async () => {
  const page = await playsLive('hls');
  assert.match((await page.textContent('#stat-codecs')) ?? '', /avc1/);
  assert.equal(await page.textContent('#stat-size'), '1280x720');
  assert.equal(await page.inputValue('#url-media'), server.httpUrl('live/cam.m3u8'));
  await screenshots(page, 'players-hls');
  await page.close();
});

test('without a stream the page offers a form, which opens the player', async () => {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(server.httpUrl('players/'));
  assert.equal(await page.isVisible('#choose'), true);
  assert.equal(await page.isVisible('#stage'), false);
  await screenshots(page, 'players-form');
  await page.fill('#choose input[name=stream]', 'cam');
  await page.selectOption('#choose select[name=type]', 'hls');
  await Promise.all([page.waitForURL(/stream=cam/), page.click('#choose button[type=submit]')]);
  assert.match(page.url(), /\/players\/\?app=live&stream=cam&type=hls&vhost=$/);
  await page.waitForSelector('#stage:not([hidden])');
  assert.equal(await page.textContent('#title'), 'live/cam');
  await page.close();
});

test('the player libraries and pages come from the package, whatever http_server.dir is', async () => {
  for (const [path, type] of [['players/vendor/hls.min.js', /javascript/], ['players/vendor/mpegts.js', /javascript/], ['players/vendor/mpegts.js.map', /octet-stream/], ['players/', /html/], ['players/players.js', /javascript/]] as const) {
    const r = await httpGet(server.httpUrl(path));
    assert.equal(r.status, 200, path);
    assert.match(String(r.headers['content-type']), type, path);
  }
  const bare = await httpGet(server.httpUrl('players?app=live&stream=cam'));
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.location, '/players/?app=live&stream=cam');
  const ports = JSON.parse((await httpGet(server.httpUrl('players/ports.json'))).body.toString());
  assert.deepEqual(ports, { rtmp: [server.rtmpPort], rtmps: [], http: [server.httpPort], api: [server.apiPort] });
  assert.equal((await httpGet(server.httpUrl('players/nope.js'))).status, 404);
  assert.equal((await httpGet(server.httpUrl('players/vendor/hls.js'))).status, 404, 'only the named vendor files');
  assert.equal((await httpGet(server.httpUrl('players/%2e%2e/%2e%2e/package.json'))).status, 404);
});

test('the landing page lists the live stream with its players and links the console', async () => {
  // What `npm start` serves as http_server.dir, copied beside the test's HLS files.
  cpSync(join(SHIPPED_HTML, 'index.html'), join(server.dir, 'html', 'index.html'));
  cpSync(join(SHIPPED_HTML, 'index.js'), join(server.dir, 'html', 'index.js'));
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(server.httpUrl(''));
  await page.waitForSelector('li[data-stream="live/cam"] a.play-hls', { timeout: 10000 });
  assert.equal(await page.getAttribute('li[data-stream="live/cam"] a.play-flv', 'href'), '/players/?app=live&stream=cam&type=flv');
  assert.equal(await page.getAttribute('#console-link', 'href'), `http://127.0.0.1:${server.apiPort}/console/`);
  await screenshots(page, 'landing');
  await page.close();
});
