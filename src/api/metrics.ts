// GET /metrics through prom-client, on a private Registry (never the global one, so an
// embedder's own metrics and ours stay apart). The server's numbers live in the workers
// and are gathered at scrape time, so every family here reads the scrape's snapshot in
// its `collect` hook; the time-to-first-frame histogram is kept by each worker
// (src/actors/stream/first-frame-clock.ts) and summed here with prom-client's aggregation.
// Node's default process metrics (CPU, RSS, heap, event loop of the main thread) come
// from collectDefaultMetrics. Counters summed over workers start again when a worker
// restarts, which Prometheus reads as a counter reset.
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics, type PrometheusContentType } from 'prom-client';
import type { BlockPoolStats } from '../runtime/index.ts';
import type { Snapshot, WorkerState } from './gather.ts';
import type { ClientType } from '../actors/worker/client-registry.ts';
import type { ThreadStats } from '../runtime/index.ts';

const CLIENT_TYPES: readonly ClientType[] = ['fmle-publish', 'flash-publish', 'rtmp-play', 'flv-play', 'hls-play', 'rtmp-connect'];

export interface MetricsInput {
  version: string;
  startedAt: number;
  snapshot: Snapshot;
  workers: WorkerState[];
  openConnections: number;
  /** The media block pool (shared memory: read straight from the main thread). */
  pool: BlockPoolStats;
}

type Labels = Record<string, string>;
interface Sample { labels?: Labels; value: number }

interface Family {
  name: string;
  help: string;
  kind: 'gauge' | 'counter';
  labels?: string[];
  read(m: MetricsInput): Sample[];
}

function one(value: number): Sample[] {
  return [{ value }];
}

function sum(ws: WorkerState[], pick: (c: NonNullable<WorkerState['counters']>) => number): number {
  return ws.reduce((n, w) => n + (w.counters ? pick(w.counters) : 0), 0);
}

function perWorker(ws: WorkerState[], pick: (t: ThreadStats) => number): Sample[] {
  return ws.filter((w) => w.thread).map((w) => ({ labels: { worker: String(w.worker) }, value: pick(w.thread!) }));
}

function connectionsByType(m: MetricsInput): Sample[] {
  const byType = new Map<string, number>(CLIENT_TYPES.map((t) => [t, 0]));
  for (const c of m.snapshot.clients) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
  return [...byType].map(([type, value]) => ({ labels: { type }, value }));
}

function hookCalls(m: MetricsInput): Sample[] {
  const hooks = new Map<string, Sample>();
  for (const w of m.workers) {
    for (const h of w.counters?.hooks ?? []) {
      const k = `${h.event}|${h.result}`;
      const cur = hooks.get(k);
      if (cur) cur.value += h.count;
      else hooks.set(k, { labels: { event: h.event, result: h.result }, value: h.count });
    }
  }
  return [...hooks.values()];
}

/** The Sluice families: the same names and labels as before prom-client took the writing over. */
const FAMILIES: readonly Family[] = [
  { name: 'sluice_info', help: 'Sluice version.', kind: 'gauge', labels: ['version'], read: (m) => [{ labels: { version: m.version }, value: 1 }] },
  { name: 'sluice_uptime_seconds', help: 'Seconds since the server started.', kind: 'gauge', read: (m) => one(Math.floor((Date.now() - m.startedAt) / 1000)) },
  { name: 'sluice_connections', help: 'Client connections by type (RTMP sessions and HTTP-FLV viewers).', kind: 'gauge', labels: ['type'], read: connectionsByType },
  { name: 'sluice_connections_open', help: 'Open TCP connections counted against max_connections (RTMP and HTTP).', kind: 'gauge', read: (m) => one(m.openConnections) },
  { name: 'sluice_streams', help: 'Streams being published.', kind: 'gauge', read: (m) => one(m.snapshot.streams.length) },
  {
    name: 'sluice_media_pool_blocks', help: 'Blocks of the media pool (media.max_memory): in use by streams and writes in flight, and in all.', kind: 'gauge', labels: ['state'],
    read: (m) => [{ labels: { state: 'in_use' }, value: m.pool.inUse }, { labels: { state: 'peak' }, value: m.pool.peak }, { labels: { state: 'total' }, value: m.pool.blockCount }],
  },
  { name: 'sluice_media_pool_block_bytes', help: 'Bytes per media pool block (media.block_size).', kind: 'gauge', read: (m) => one(m.pool.blockSize) },
  { name: 'sluice_media_pool_refused_total', help: 'Block allocations refused because the media pool was full.', kind: 'counter', read: (m) => one(m.pool.failed) },
  { name: 'sluice_received_bytes_total', help: 'Bytes received from clients.', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.receivedBytes)) },
  { name: 'sluice_sent_bytes_total', help: 'Bytes sent to clients.', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.sentBytes)) },
  { name: 'sluice_media_messages_total', help: 'Audio, video and data messages received from publishers.', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.mediaMessages)) },
  { name: 'sluice_media_bytes_total', help: 'Payload bytes of the media messages received from publishers.', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.mediaBytes)) },
  { name: 'sluice_players', help: 'Players attached to fan-outs (RTMP and HTTP-FLV).', kind: 'gauge', read: (m) => one(sum(m.workers, (c) => c.fanout.players)) },
  { name: 'sluice_players_skipped_total', help: 'Times a lagging player was moved ahead to the latest keyframe (live fan-outs).', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.fanout.skipped)) },
  { name: 'sluice_players_dropped_total', help: 'Players dropped for falling too far behind (live fan-outs).', kind: 'counter', read: (m) => one(sum(m.workers, (c) => c.fanout.dropped)) },
  {
    name: 'sluice_worker_up', help: 'Whether each worker thread answered this scrape (1) or is down, restarting or stuck (0); a worker at 0 has no other per-worker figures.', kind: 'gauge', labels: ['worker'],
    read: (m) => m.workers.map((w) => ({ labels: { worker: String(w.worker) }, value: w.up ? 1 : 0 })),
  },
  { name: 'sluice_worker_event_loop_lag_ms', help: 'Mean event-loop lag of each worker thread since the previous scrape, ms.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.eventLoopLagMs) },
  { name: 'sluice_worker_event_loop_lag_p99_ms', help: '99th percentile of the event-loop lag of each worker thread since the previous scrape, ms.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.eventLoopLagP99Ms) },
  { name: 'sluice_worker_heap_used_bytes', help: 'V8 heap in use by each worker thread.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.heapUsedBytes) },
  { name: 'sluice_worker_heap_total_bytes', help: 'V8 heap reserved by each worker thread.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.heapTotalBytes) },
  { name: 'sluice_worker_actors', help: 'Actors alive on each worker thread.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.actors) },
  { name: 'sluice_worker_mailbox_depth', help: 'Messages waiting in the mailboxes of each worker thread.', kind: 'gauge', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.mailboxDepth) },
  { name: 'sluice_worker_messages_total', help: 'Actor messages processed by each worker thread.', kind: 'counter', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.processed) },
  { name: 'sluice_worker_dead_letters_total', help: 'Messages to actors that were gone, per worker thread.', kind: 'counter', labels: ['worker'], read: (m) => perWorker(m.workers, (t) => t.deadLetters) },
  { name: 'sluice_hook_calls_total', help: 'HTTP hook calls by event and result (ok, denied, error, timeout).', kind: 'counter', labels: ['event', 'result'], read: hookCalls },
];

/** One per API server: the registry, its families, and the scrape being answered. */
export class ServerMetrics {
  private readonly registry: Registry = new Registry();
  // The input of the scrape under way; scrapes run one at a time (see render).
  private current: MetricsInput | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const f of FAMILIES) this.define(f);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private define(f: Family): void {
    const metrics = this;
    const fill = (m: Gauge | Counter) => {
      const input = metrics.current;
      m.reset();
      if (!input) return;
      // Gauges are set and counters set through inc(value) after a reset: the totals come
      // from the workers whole, not as increments.
      for (const s of f.read(input)) {
        if (m instanceof Gauge) m.set(s.labels ?? {}, s.value);
        else m.inc(s.labels ?? {}, s.value);
      }
    };
    const config = { name: f.name, help: f.help, labelNames: f.labels ?? [], registers: [this.registry] };
    if (f.kind === 'gauge') new Gauge({ ...config, collect() { fill(this); } });
    else new Counter({ ...config, collect() { fill(this); } });
  }

  /** The exposition text for one scrape of these figures. */
  render(input: MetricsInput): Promise<string> {
    // One scrape at a time: the families read `current` while the registry is collected.
    const run = this.queue.then(() => this.renderNow(input));
    this.queue = run.catch(() => {});
    return run;
  }

  private async renderNow(input: MetricsInput): Promise<string> {
    this.current = input;
    try {
      const perWorker = input.workers.map((w) => w.counters?.firstFrame ?? []).filter((j) => j.length > 0);
      if (perWorker.length === 0) return await this.registry.metrics();
      // The workers' histograms, bucket by bucket summed into one.
      const firstFrame = AggregatorRegistry.aggregate<PrometheusContentType>(perWorker);
      return await Registry.merge([this.registry, firstFrame]).metrics();
    } finally {
      this.current = null;
    }
  }
}
