// How loaded one thread is: its event-loop lag since the previous reading and its V8 heap.
import { getHeapStatistics } from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const LAG_RESOLUTION_MS = 20;

export interface ThreadLoad {
  eventLoopLagMs: number;
  eventLoopLagP99Ms: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

export class ThreadLoadMeter {
  private readonly lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });

  constructor() {
    this.lag.enable();
  }

  /** The load since the previous read (the lag histogram starts again). */
  read(): ThreadLoad {
    // The histogram's samples include the sampling period itself; lag is what exceeds it.
    const mean = this.lag.count > 0 ? Math.max(0, this.lag.mean / 1e6 - LAG_RESOLUTION_MS) : 0;
    const p99 = this.lag.count > 0 ? Math.max(0, this.lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0;
    this.lag.reset();
    const heap = getHeapStatistics();
    return {
      eventLoopLagMs: Math.round(mean * 100) / 100,
      eventLoopLagP99Ms: Math.round(p99 * 100) / 100,
      heapUsedBytes: heap.used_heap_size,
      heapTotalBytes: heap.total_heap_size,
    };
  }

  stop(): void {
    this.lag.disable();
  }
}
