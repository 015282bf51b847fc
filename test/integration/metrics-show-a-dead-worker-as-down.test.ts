// A worker thread that crashes is shown as down by /metrics (sluice_worker_up 0, and none
// of its per-worker figures) and by /api/v1/summaries (alive: false) until its successor
// answers, then as up again. Worker 1 throws a while after the server started (a test hook
// of worker-root.ts); the scrapes poll across the crash and the restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { sleep, until } from '../helpers/clients.ts';
import { parsePrometheus, type Parsed } from '../unit/prometheus-parser.ts';

const CRASH_AFTER_MS = 5000;
let server: TestServer;

before(async () => {
  server = await startServer({ workers: 2, env: { SLUICE_TEST_HOOKS: '1', SLUICE_TEST_CRASH_AFTER_MS: String(CRASH_AFTER_MS) } });
  await waitForPort(server.apiPort);
});
after(async () => {
  await server.stop();
});

const sample = (p: Parsed, name: string, worker: string) => p.samples.find((s) => s.name === name && s.labels.worker === worker)?.value;

async function scrape(): Promise<Parsed> {
  return parsePrometheus(await (await server.api('/metrics')).text());
}

async function summaryWorkers(): Promise<{ worker: number; alive: boolean; actors: number | null }[]> {
  return ((await (await server.api('/api/v1/summaries')).json()) as any).data.workers;
}

test('a crashed worker is down in /metrics and /api/v1/summaries, then up again once restarted', async () => {
  const first = await scrape();
  assert.equal(sample(first, 'sluice_worker_up', '1'), 1);
  assert.equal(sample(first, 'sluice_worker_up', '2'), 1);
  assert.ok(sample(first, 'sluice_worker_actors', '1')! >= 1);
  assert.deepEqual((await summaryWorkers()).map((r) => [r.worker, r.alive]), [[1, true], [2, true]]);

  // Both endpoints polled side by side until each has answered while worker 1 was dead or
  // its successor still loading.
  let down: Parsed | null = null;
  let downRows: Awaited<ReturnType<typeof summaryWorkers>> | null = null;
  const deadline = Date.now() + CRASH_AFTER_MS + 15000;
  while (!(down && downRows) && Date.now() < deadline) {
    const [p, rows] = await Promise.all([scrape(), summaryWorkers()]);
    if (!down && sample(p, 'sluice_worker_up', '1') === 0) down = p;
    if (!downRows && rows[0]!.alive === false) downRows = rows;
    await sleep(10);
  }
  assert.ok(down, 'no scrape saw worker 1 down');
  assert.ok(downRows, 'no summary saw worker 1 down');
  assert.equal(sample(down, 'sluice_worker_up', '2'), 1, 'worker 2 stays up');
  for (const family of ['sluice_worker_actors', 'sluice_worker_heap_used_bytes', 'sluice_worker_event_loop_lag_ms', 'sluice_worker_messages_total']) {
    assert.equal(sample(down, family, '1'), undefined, `${family} has no figure for the dead worker`);
    assert.notEqual(sample(down, family, '2'), undefined, `${family} still has worker 2`);
  }
  assert.deepEqual(downRows[0], { worker: 1, alive: false, event_loop_lag_ms: null, heap_used_kbyte: null, actors: null, mailbox_depth: null });
  assert.equal(downRows[1]!.alive, true);
  await server.waitForLog(/"worker":1[^\n]*crash requested[^\n]*"worker crashed"/, 5000);

  // Once the successor answers, both endpoints show it up again, with figures.
  const up = await until(async () => {
    const p = await scrape();
    return sample(p, 'sluice_worker_up', '1') === 1 ? p : null;
  }, 15000, 'worker 1 up again');
  assert.ok(sample(up!, 'sluice_worker_actors', '1')! >= 1);
  assert.deepEqual((await summaryWorkers()).map((r) => [r.worker, r.alive]), [[1, true], [2, true]]);
});
