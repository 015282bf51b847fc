// /metrics as prom-client writes it from a server snapshot: the Sluice families by name,
// type and labels, per-worker series, two workers' first-frame histograms summed bucket
// by bucket, Node's default process metrics, and text that an independent parser of the
// format (prometheus-parser.ts) reads without complaint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { ServerMetrics, type MetricsInput } from '../../src/api/metrics.ts';
import type { WorkerState } from '../../src/api/gather.ts';
import type { MetricJson } from '../../src/actors/stream/first-frame-clock.ts';
import type { ClientRow } from '../../src/api/gather.ts';
import { parsePrometheus } from './prometheus-parser.ts';

async function firstFrameJson(observations: [string, number][]): Promise<MetricJson[]> {
  const reg = new Registry();
  const h = new Histogram({ name: 'sluice_first_frame_seconds', help: 'first frame', labelNames: ['format'], buckets: [0.1, 1], registers: [reg] });
  for (const [format, v] of observations) h.observe({ format }, v);
  return (await reg.getMetricsAsJSON()) as unknown as MetricJson[];
}

function worker(n: number, firstFrame: MetricJson[], hooks: WorkerState['counters'] extends infer C ? C extends { hooks: infer H } ? H : never : never): WorkerState {
  return {
    worker: n,
    up: true,
    thread: { worker: n, actors: 3 + n, mailboxDepth: 0, deadLetters: 1, eventLoopLagMs: 0.5, eventLoopLagP99Ms: 2.25, processed: 100, heapUsedBytes: 1e6, heapTotalBytes: 2e6 },
    counters: {
      sentBytes: 1000 * n, receivedBytes: 500, mediaMessages: 10, mediaBytes: 400, hooks,
      fanout: { fanouts: 1, players: 2, skipped: 1, dropped: 0, sentBytes: 10 }, firstFrame,
    },
  };
}

function client(id: string, type: ClientRow['type']): ClientRow {
  return { id, ip: '127.0.0.1', vhost: 'v', app: 'live', stream: 's', param: '', tcUrl: '', pageUrl: '', swfUrl: '', type, publish: type === 'fmle-publish', alive: 1, sendBytes: 0, recvBytes: 0, streamKey: 'k', worker: 1 };
}

async function input(): Promise<MetricsInput> {
  return {
    version: '0.1.0',
    startedAt: Date.now() - 5000,
    openConnections: 4,
    pool: { blockSize: 65536, blockCount: 1000, inUse: 12, peak: 40, failed: 3 },
    snapshot: { now: Date.now(), clients: [client('a', 'fmle-publish'), client('b', 'rtmp-play'), client('c', 'rtmp-play')], streams: [] },
    workers: [
      worker(1, await firstFrameJson([['rtmp', 0.05], ['rtmp', 0.5]]), [{ event: 'on_play', result: 'ok', count: 2 }]),
      worker(2, await firstFrameJson([['rtmp', 2], ['flv', 0.05]]), [{ event: 'on_play', result: 'ok', count: 1 }, { event: 'on_play', result: 'timeout', count: 1 }]),
    ],
  };
}

test('the Sluice families keep their names, types and labels, summed over workers', async () => {
  const metrics = new ServerMetrics();
  const p = parsePrometheus(await metrics.render(await input()));
  const value = (name: string, labels: Record<string, string> = {}) =>
    p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  assert.equal(value('sluice_info', { version: '0.1.0' }), 1);
  assert.ok((value('sluice_uptime_seconds') ?? 0) >= 4);
  assert.equal(value('sluice_connections', { type: 'rtmp-play' }), 2);
  assert.equal(value('sluice_connections', { type: 'flv-play' }), 0);
  assert.equal(value('sluice_connections_open'), 4);
  assert.equal(value('sluice_streams'), 0);
  assert.equal(value('sluice_media_pool_blocks', { state: 'in_use' }), 12);
  assert.equal(value('sluice_media_pool_blocks', { state: 'total' }), 1000);
  assert.equal(value('sluice_media_pool_refused_total'), 3);
  assert.equal(value('sluice_sent_bytes_total'), 3000);
  assert.equal(value('sluice_received_bytes_total'), 1000);
  assert.equal(value('sluice_players'), 4);
  assert.equal(value('sluice_players_skipped_total'), 2);
  assert.equal(value('sluice_worker_actors', { worker: '2' }), 5);
  assert.equal(value('sluice_worker_event_loop_lag_ms', { worker: '1' }), 0.5);
  assert.equal(value('sluice_worker_event_loop_lag_p99_ms', { worker: '1' }), 2.25);
  assert.equal(value('sluice_worker_heap_used_bytes', { worker: '2' }), 1e6);
  assert.equal(value('sluice_worker_heap_total_bytes', { worker: '2' }), 2e6);
  assert.equal(value('sluice_hook_calls_total', { event: 'on_play', result: 'ok' }), 3);
  assert.equal(value('sluice_hook_calls_total', { event: 'on_play', result: 'timeout' }), 1);
  assert.equal(p.type.get('sluice_hook_calls_total'), 'counter');
  assert.equal(p.type.get('sluice_worker_heap_used_bytes'), 'gauge');
  // Node's defaults, from collectDefaultMetrics.
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) assert.ok(p.type.has(name), name);
  assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
});

test('the workers\' first-frame histograms are summed bucket by bucket', async () => {
  const p = parsePrometheus(await new ServerMetrics().render(await input()));
  assert.equal(p.type.get('sluice_first_frame_seconds'), 'histogram');
  const bucket = (format: string, le: string) => p.samples.find((s) => s.name === 'sluice_first_frame_seconds_bucket' && s.labels.format === format && s.labels.le === le)?.value;
  assert.equal(bucket('rtmp', '0.1'), 1);
  assert.equal(bucket('rtmp', '1'), 2);
  assert.equal(bucket('rtmp', '+Inf'), 3);
  assert.equal(bucket('flv', '0.1'), 1);
  const count = p.samples.find((s) => s.name === 'sluice_first_frame_seconds_count' && s.labels.format === 'rtmp')?.value;
  assert.equal(count, 3);
  const sum = p.samples.find((s) => s.name === 'sluice_first_frame_seconds_sum' && s.labels.format === 'rtmp')?.value;
  assert.ok(Math.abs(sum! - 2.55) < 1e-9);
});

test('a later scrape reports totals, not increments, and concurrent scrapes do not mix', async () => {
  const metrics = new ServerMetrics();
  const a = await input();
  const b = await input();
  b.workers[0]!.counters!.sentBytes = 7000;
  const [ta, tb] = await Promise.all([metrics.render(a), metrics.render(b)]);
  const sent = (t: string) => parsePrometheus(t).samples.find((s) => s.name === 'sluice_sent_bytes_total')?.value;
  assert.equal(sent(ta), 3000);
  assert.equal(sent(tb), 9000);
  assert.equal(sent(await metrics.render(a)), 3000);
});

test('a worker that did not answer leaves out its series, and the text still parses', async () => {
  const m = await input();
  m.workers[1] = { worker: 2, up: false, thread: null, counters: null };
  const p = parsePrometheus(await new ServerMetrics().render(m));
  assert.equal(p.samples.find((s) => s.name === 'sluice_worker_up' && s.labels.worker === '1')?.value, 1);
  assert.equal(p.samples.find((s) => s.name === 'sluice_worker_up' && s.labels.worker === '2')?.value, 0);
  assert.equal(p.samples.find((s) => s.name === 'sluice_worker_actors' && s.labels.worker === '2'), undefined);
  assert.equal(p.samples.find((s) => s.name === 'sluice_sent_bytes_total')?.value, 1000);
});
