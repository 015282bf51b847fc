// Time to first frame, per player: from the moment a player is attached to a fan-out
// (its play accepted) to the first media bytes handed to its socket. Each worker keeps
// one histogram of it in its WorkerServices; the main thread pulls it with the worker's
// counters and sums the workers' histograms for /metrics (src/api/metrics.ts).
import { Histogram, Registry } from 'prom-client';
import type { MediaFormat } from './media-sink.ts';

// From a join served at once (a few ms) to a player that waited for its publisher.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A worker's histogram of first frames (held by its WorkerServices). */
export class FirstFrameHistogram {
  // A private registry: the worker's metrics never mix with anything else using prom-client.
  private readonly registry = new Registry();
  readonly histogram = new Histogram({
    name: 'sluice_first_frame_seconds',
    help: 'Time from a player\'s play (attach to the stream) to its first media write, seconds (RTMP and HTTP-FLV).',
    labelNames: ['format'],
    buckets: BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Both series exist from the start, so a dashboard sees zeros rather than nothing.
    this.histogram.zero({ format: 'rtmp' });
    this.histogram.zero({ format: 'flv' });
  }

  /** This worker's histogram, ready for prom-client's aggregation in the main thread. */
  async metrics(): Promise<MetricJson[]> {
    return (await this.registry.getMetricsAsJSON()) as unknown as MetricJson[];
  }
}

/** One per player sink: made at attach, told of every write, observes only the first. */
export class FirstFrameClock {
  private readonly histogram: Histogram<'format'>;
  private readonly format: MediaFormat;
  private readonly attachedAt = performance.now();
  private pending = true;

  constructor(histogram: FirstFrameHistogram, format: MediaFormat) {
    this.histogram = histogram.histogram;
    this.format = format;
  }

  /** Called on each write: one boolean test after the first. */
  written(): void {
    if (!this.pending) return;
    this.pending = false;
    this.histogram.observe({ format: this.format }, (performance.now() - this.attachedAt) / 1000);
  }
}

/** prom-client's JSON form of a metric (getMetricsAsJSON): plain data, cloneable. */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}
