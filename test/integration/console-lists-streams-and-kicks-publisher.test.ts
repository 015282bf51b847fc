// The web console in a real browser, from the API's own port: it shows the
// server summary, per-worker load, vhosts, the live stream with its player links and
// the clients; it asks for the API token once when the API answers 401; and kicking the
// publisher from the page ends ffmpeg.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, run, until, type Proc } from '../helpers/clients.ts';
import { httpGet } from '../helpers/http-get.ts';
import { launchBrowser, screenshots, DESKTOP } from '../helpers/browser.ts';

let server: TestServer;
let publisher: Proc;
let viewer: Proc;
let browser: Browser;

const api = (path: string) => `http://127.0.0.1:${server.apiPort}/${path.replace(/^\//, '')}`;

before(async () => {
  server = await startServer({ workers: 2, vhost: { hls: { enabled: true, path: './html', fragment: 2, window: 12 } } });
  await waitForPort(server.apiPort);
  publisher = publish(server.rtmpUrl('live/cam'), 'av-1mbps.flv', { loop: true, timeoutMs: 120000 });
  await until(async () => (await httpGet(server.httpUrl('live/cam.flv'), { method: 'HEAD' })).status === 200, 15000, 'the stream to be live');
  // One HTTP-FLV player, so the stream has a player and the clients list a flv-play.
  viewer = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', server.httpUrl('live/cam.flv'), '-c', 'copy', '-f', 'null', '-'], 120000);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await viewer?.stop();
  await publisher?.stop();
  await server?.stop();
});

async function openConsole(): Promise<Page> {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(api('console/'));
  return page;
}

test('the console shows the summary, workers, vhosts, the stream with its players, and the clients', async () => {
  const page = await openConsole();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.waitForSelector('tr[data-stream="live/cam"]', { timeout: 10000 });
  // The player and the 30 s rates show up within a refresh or two.
  await until(async () => (await page.textContent('tr[data-stream="live/cam"] td[data-label="Players"]')) === '1', 10000, 'one player');
  await until(async () => /[1-9]\d* kbit\/s/.test((await page.textContent('tr[data-stream="live/cam"] td[data-label="In"]')) ?? ''), 10000, 'an input rate');

  assert.match((await page.textContent('#version')) ?? '', /^v\d+\.\d+\.\d+ - pid \d+$/);
  assert.match((await page.textContent('#summary')) ?? '', /Uptime.*CPU.*Memory.*Connections/);
  assert.equal(await page.locator('#workers tbody tr').count(), 2);
  assert.match((await page.textContent('#workers tbody tr:first-child td[data-label="Event-loop lag"]')) ?? '', /^\d+\.\d ms$/);
  assert.match((await page.textContent('#workers tbody tr:first-child td[data-label="Heap"]')) ?? '', /MB$/);
  assert.equal(await page.textContent('#vhosts tbody tr td[data-label="Name"]'), '__defaultVhost__');

  const row = 'tr[data-stream="live/cam"]';
  assert.equal(await page.textContent(`${row} td[data-label="Video"]`), 'H264 Main 1280x720');
  assert.match((await page.textContent(`${row} td[data-label="Audio"]`)) ?? '', /^AAC LC 44\.1 kHz$/);
  assert.match((await page.textContent(`${row} td[data-label="Publisher"]`)) ?? '', /^127\.0\.0\.1 \w+$/);
  assert.equal(await page.locator(`${row} svg.chart polyline`).count(), 2);
  const players = `http://127.0.0.1:${server.httpPort}/players/?app=live&stream=cam`;
  assert.equal(await page.getAttribute(`${row} a.play-flv`, 'href'), `${players}&type=flv`);
  assert.equal(await page.getAttribute(`${row} a.play-hls`, 'href'), `${players}&type=hls`);

  const types = await page.$$eval('#clients tbody tr', (rows) => rows.map((r) => r.getAttribute('data-type')).sort());
  assert.deepEqual(types, ['flv-play', 'fmle-publish']);
  assert.deepEqual(errors, []);
  await page.waitForTimeout(4500); // a few refreshes, so the charts have a line
  await screenshots(page, 'console');
  await page.close();
});

test("summaries carry each worker's load and the listeners' ports for the console", async () => {
  const body = (await (await fetch(api('api/v1/summaries'))).json()) as { data: { workers: Record<string, unknown>[]; ports: unknown } };
  assert.deepEqual(body.data.ports, { rtmp: [server.rtmpPort], rtmps: [], http: [server.httpPort], api: [server.apiPort] });
  assert.deepEqual(body.data.workers.map((w) => w.worker), [1, 2]);
  for (const w of body.data.workers) {
    assert.equal(w.alive, true);
    assert.equal(typeof w.event_loop_lag_ms, 'number');
    assert.ok((w.heap_used_kbyte as number) > 1000, 'a worker heap is megabytes');
    assert.ok((w.actors as number) > 0);
    assert.equal(typeof w.mailbox_depth, 'number');
  }
});

test('when the API answers 401 the console asks for the token once and sends it as a Bearer token', async () => {
  // The API's token check is stood in for here by the browser's request interception, so
  // this tests the page alone: 401 without `Authorization: Bearer s3cret`, pass-through with it.
  const page = await browser.newPage({ viewport: DESKTOP });
  const seen: string[] = [];
  await page.route('**/api/**', (route) => {
    const auth = route.request().headers().authorization ?? '';
    seen.push(auth);
    if (auth === 'Bearer s3cret') return route.continue();
    return route.fulfill({ status: 401, contentType: 'application/json', body: '{"code":401}' });
  });
  await page.goto(api('console/'));
  await page.waitForSelector('#auth[open]', { timeout: 10000 });
  await page.fill('#auth-token', 'wrong');
  await page.click('#auth button[type=submit]');
  await until(async () => /refused/.test((await page.textContent('#auth-why')) ?? ''), 5000, 'the wrong token to be refused');
  await page.fill('#auth-token', 's3cret');
  await page.click('#auth button[type=submit]');
  await page.waitForSelector('tr[data-stream="live/cam"]', { timeout: 10000 });
  assert.equal(await page.isVisible('#auth'), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('sluice.api.token')), 's3cret');
  // Later refreshes, and a reload of the page, go through without asking again.
  seen.length = 0;
  await page.reload();
  await page.waitForSelector('tr[data-stream="live/cam"]', { timeout: 10000 });
  assert.equal(await page.isVisible('#auth'), false);
  assert.ok(seen.length > 0 && seen.every((a) => a === 'Bearer s3cret'), `every call carried the token: ${seen.join(', ')}`);
  await page.close();
});

test('the console files are served from the API port, and only them', async () => {
  const bare = await httpGet(api('console'));
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.location, '/console/');
  for (const [path, type] of [['console/', /html/], ['console/console.js', /javascript/], ['console/console.css', /css/]] as const) {
    const r = await httpGet(api(path));
    assert.equal(r.status, 200, path);
    assert.match(String(r.headers['content-type']), type, path);
    assert.equal(r.headers['cache-control'], 'no-cache', `${path}: a new release's page is never stale`);
  }
  assert.equal((await httpGet(api('console/nope.js'))).status, 404);
  assert.equal((await httpGet(api('console/%2e%2e/api-server.ts'))).status, 404);
  assert.equal((await httpGet(api('console/..%2fapi-server.ts'))).status, 403);
});

test('kicking the publisher from the console ends ffmpeg and the stream leaves the list', async () => {
  const page = await openConsole();
  const kick = 'tr[data-type="fmle-publish"] button[data-kick]';
  await page.waitForSelector(kick, { timeout: 10000 });
  await page.click(kick);
  assert.equal(await page.textContent(kick), 'Sure? Kick', 'the first click only arms the button');
  await page.click(kick);
  const exited = await Promise.race([publisher.done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10000))]);
  assert.ok(exited, 'ffmpeg exited after the kick');
  await page.waitForSelector('#streams-empty:not([hidden])', { timeout: 10000 });
  await page.close();
});
