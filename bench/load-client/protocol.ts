// Messages between the bench, the load-client process and its threads.
import type { StreamTarget } from './rtmp-wire.ts';
import type { PlayerProtocol } from './bench-player.ts';

export type ThreadCommand =
  | { type: 'ramp'; targets: StreamTarget[]; count: number; ratePerSec: number; protocol?: PlayerProtocol }
  | { type: 'mark' }
  | { type: 'close-all' };

export interface ThreadReport {
  thread: number;
  /** Players opened so far (closed ones included). */
  opened: number;
  /** Players that sent play and are still connected. */
  connected: number;
  /** Players whose media time advanced >= 90% of wall time since the last mark. */
  keepingUp: number;
  /** Bytes received, cumulative. */
  bytes: number;
  closed: number;
  errors: number;
  lastError: string;
  /** First-frame latencies (ms) measured since the last report. */
  firstFrameMs: number[];
}

/** What the load-client process sends its parent once a second. */
export interface LoadReport extends Omit<ThreadReport, 'thread'> {
  type: 'report';
  /** ms since the process started. */
  t: number;
  /** CPU time of the whole load-client process so far (user + system, ms). */
  cpuMs: number;
}

export type LoadCommand =
  | { type: 'ramp'; targets: StreamTarget[]; count: number; ratePerSec: number; protocol?: PlayerProtocol }
  | { type: 'mark' }
  | { type: 'close-all' }
  | { type: 'exit' };
