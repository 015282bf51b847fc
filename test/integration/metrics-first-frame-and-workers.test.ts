// /metrics from a live server through prom-client: a real RTMP player (rtmpdump) and a
// real HTTP-FLV viewer each add one observation to the time-to-first-frame histogram of
// their format, gathered from the worker that served them; per-worker lag and heap are
// there for each worker; Node's default process metrics are there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, run, until, type Proc } from '../helpers/clients.ts';
import { watchFlv } from '../helpers/flv-viewer.ts';
import { parsePrometheus, type Parsed } from '../unit/prometheus-parser.ts';

let server: TestServer;
let pub: Proc;

before(async () => {
  server = await startServer({ workers: 2 });
  await waitForPort(server.apiPort);
  pub = publish(server.rtmpUrl('live/ff'), 'av-200kbps.flv', { loop: true });
  await until(async () => ((await (await server.api('/api/v1/streams/')).json()) as any).streams?.length === 1, 15000, 'the stream');
});

after(async () => {
  await pub.stop();
  await server.stop();
});

async function scrape(): Promise<Parsed> {
  const r = await server.api('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await r.text());
}

const value = (p: Parsed, name: string, labels: Record<string, string> = {}) =>
  p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('an RTMP player and an HTTP-FLV viewer each add a first-frame observation', async () => {
  const before = await scrape();
  assert.equal(before.type.get('sluice_first_frame_seconds'), 'histogram');
  const rtmpBefore = value(before, 'sluice_first_frame_seconds_count', { format: 'rtmp' }) ?? 0;
  const flvBefore = value(before, 'sluice_first_frame_seconds_count', { format: 'flv' }) ?? 0;

  // rtmpdump for about 2 s of media, then stopped by its PID.
  const dump = run('rtmpdump', ['-q', '-r', server.rtmpUrl('live/ff'), '-B', '2', '-o', join(server.dir, 'dump.flv')], 20000);
  const viewer = await watchFlv(server.httpUrl('live/ff.flv'), { mediaMs: 1000, timeoutMs: 15000 });
  assert.equal(viewer.error, null);
  await dump.done;

  const after = await until(async () => {
    const p = await scrape();
    return (value(p, 'sluice_first_frame_seconds_count', { format: 'rtmp' }) ?? 0) > rtmpBefore
      && (value(p, 'sluice_first_frame_seconds_count', { format: 'flv' }) ?? 0) > flvBefore ? p : null;
  }, 10000, 'both observations');
  for (const format of ['rtmp', 'flv']) {
    const count = value(after!, 'sluice_first_frame_seconds_count', { format })!;
    const sum = value(after!, 'sluice_first_frame_seconds_sum', { format })!;
    // A player that joins a live stream gets the cached GOP at once: well under 5 s each.
    assert.ok(sum > 0 && sum / count < 5, `${format}: sum ${sum} over ${count}`);
    assert.equal(value(after!, 'sluice_first_frame_seconds_bucket', { format, le: '+Inf' }), count);
  }
});

test('per-worker lag and heap for each worker, and Node\'s process metrics', async () => {
  const p = await scrape();
  for (const w of ['1', '2']) {
    for (const name of ['sluice_worker_event_loop_lag_ms', 'sluice_worker_event_loop_lag_p99_ms', 'sluice_worker_heap_used_bytes', 'sluice_worker_heap_total_bytes']) {
      const v = value(p, name, { worker: w });
      assert.ok(v !== undefined && v >= 0, `${name} of worker ${w}`);
    }
    assert.ok(value(p, 'sluice_worker_heap_used_bytes', { worker: w })! > 1e6);
  }
  assert.ok(value(p, 'process_resident_memory_bytes')! > 10e6);
  assert.ok(value(p, 'process_cpu_seconds_total')! > 0);
  assert.ok(p.type.has('nodejs_heap_size_used_bytes'));
  assert.equal(value(p, 'sluice_streams'), 1);
});
