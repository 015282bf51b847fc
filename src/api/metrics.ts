// GET /metrics: the families Sluice exports, from a snapshot of the server. The
// counters summed over workers start again when a worker restarts, which Prometheus
// reads as a counter reset.
import type { MetricFamily, MetricSample } from '../net/http/prometheus.ts';
import type { Snapshot, WorkerState } from './gather.ts';
import type { ClientType } from '../actors/client-registry.ts';

const CLIENT_TYPES: readonly ClientType[] = ['fmle-publish', 'flash-publish', 'rtmp-play', 'flv-play', 'hls-play', 'rtmp-connect'];

export interface MetricsInput {
  version: string;
  startedAt: number;
  snapshot: Snapshot;
  workers: WorkerState[];
  openConnections: number;
}

function gauge(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: 'gauge', samples };
}

function counter(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: 'counter', samples };
}

function sum(ws: WorkerState[], pick: (w: NonNullable<WorkerState['counters']>) => number): number {
  return ws.reduce((n, w) => n + (w.counters ? pick(w.counters) : 0), 0);
}

function perWorker(ws: WorkerState[], pick: (t: NonNullable<WorkerState['thread']>) => number): MetricSample[] {
  return ws.filter((w) => w.thread).map((w) => ({ labels: { worker: String(w.worker) }, value: pick(w.thread!) }));
}

export function buildMetrics(m: MetricsInput): MetricFamily[] {
  const { snapshot: snap, workers: ws } = m;
  const byType = new Map<string, number>(CLIENT_TYPES.map((t) => [t, 0]));
  for (const c of snap.clients) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
  const hooks = new Map<string, { event: string; result: string; count: number }>();
  for (const w of ws) {
    for (const h of w.counters?.hooks ?? []) {
      const k = `${h.event}|${h.result}`;
      const cur = hooks.get(k);
      if (cur) cur.count += h.count;
      else hooks.set(k, { ...h });
    }
  }
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return [
    gauge('sluice_info', 'Sluice version.', [{ labels: { version: m.version }, value: 1 }]),
    gauge('sluice_uptime_seconds', 'Seconds since the server started.', [{ value: Math.floor((Date.now() - m.startedAt) / 1000) }]),
    gauge('sluice_connections', 'Client connections by type (RTMP sessions and HTTP-FLV viewers).',
      [...byType].map(([type, value]) => ({ labels: { type }, value }))),
    gauge('sluice_connections_open', 'Open TCP connections counted against max_connections (RTMP and HTTP).', [{ value: m.openConnections }]),
    gauge('sluice_streams', 'Streams being published.', [{ value: snap.streams.length }]),
    counter('sluice_received_bytes_total', 'Bytes received from clients.', [{ value: sum(ws, (c) => c.receivedBytes) }]),
    counter('sluice_sent_bytes_total', 'Bytes sent to clients.', [{ value: sum(ws, (c) => c.sentBytes) }]),
    counter('sluice_media_messages_total', 'Audio, video and data messages received from publishers.', [{ value: sum(ws, (c) => c.mediaMessages) }]),
    counter('sluice_media_bytes_total', 'Payload bytes of the media messages received from publishers.', [{ value: sum(ws, (c) => c.mediaBytes) }]),
    gauge('sluice_players', 'Players attached to fan-outs (RTMP and HTTP-FLV).', [{ value: sum(ws, (c) => c.fanout.players) }]),
    counter('sluice_players_skipped_total', 'Times a lagging player was moved ahead to the latest keyframe (live fan-outs).', [{ value: sum(ws, (c) => c.fanout.skipped) }]),
    counter('sluice_players_dropped_total', 'Players dropped for falling too far behind (live fan-outs).', [{ value: sum(ws, (c) => c.fanout.dropped) }]),
    gauge('sluice_worker_event_loop_lag_ms', 'Mean event-loop lag of each worker thread, ms.', perWorker(ws, (t) => t.eventLoopLagMs)),
    gauge('sluice_worker_heap_used_bytes', 'V8 heap in use by each worker thread.', perWorker(ws, (t) => t.heapUsedBytes)),
    gauge('sluice_worker_actors', 'Actors alive on each worker thread.', perWorker(ws, (t) => t.actors)),
    gauge('sluice_worker_mailbox_depth', 'Messages waiting in the mailboxes of each worker thread.', perWorker(ws, (t) => t.mailboxDepth)),
    counter('sluice_worker_messages_total', 'Actor messages processed by each worker thread.', perWorker(ws, (t) => t.processed)),
    counter('sluice_worker_dead_letters_total', 'Messages to actors that were gone, per worker thread.', perWorker(ws, (t) => t.deadLetters)),
    counter('sluice_hook_calls_total', 'HTTP hook calls by event and result (ok, denied, error, timeout).',
      [...hooks.values()].map((h) => ({ labels: { event: h.event, result: h.result }, value: h.count }))),
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [{ value: mem.rss }]),
    counter('process_cpu_seconds_total', 'User and system CPU time spent, seconds.', [{ value: (cpu.user + cpu.system) / 1e6 }]),
  ];
}
