// The SRS bandwidth test (`bandcheck`), server side. A client that connects to a vhost
// with bandcheck on, with `key=<key>` in its tcUrl, gets instead of a normal session:
//   play test:    StartPlayBytes -> (client) StartingPlayBytes -> Playing... for 3 s
//                 -> StopPlayBytes -> (client) StoppedPlayBytes
//   publish test: StartPublishBytes -> (client) StartingPublishBytes, Publishing... for
//                 3 s or until (client) StopPublishBytes -> StopPublishBytes
//                 -> (client) StoppedPublishBytes (not sent by Flash)
//   report:       Finished {start_time, end_time, play_kbps, publish_kbps, play_bytes,
//                 publish_bytes, play_time, publish_time} -> (client) finalClientPacket
// Each message is an AMF0 command (name, transaction 0, null, object). Both directions
// are held to `limit_kbps`. As in SRS, one test per `interval` seconds for the whole
// server, whatever the client and the worker (bandcheck-clock.ts): the test is there to
// measure, and two at once would measure each other. The key may come as `?key=K`,
// `?key=K&vhost=V` or SRS's `?key=K,vhost=V`. The RtmpSession hands its connection over
// through BandcheckPeer and routes every later command here.

import type { BandcheckConfig } from '../../config/types.ts';
import { encodeCommand } from '../../net/rtmp/commands.ts';
import { paramValue } from '../../net/rtmp/stream-url.ts';
import type { BandcheckClock } from './bandcheck-clock.ts';

export const BW = {
  StartPlay: 'onSrsBandCheckStartPlayBytes',
  StartingPlay: 'onSrsBandCheckStartingPlayBytes',
  Playing: 'onSrsBandCheckPlaying',
  StopPlay: 'onSrsBandCheckStopPlayBytes',
  StoppedPlay: 'onSrsBandCheckStoppedPlayBytes',
  StartPublish: 'onSrsBandCheckStartPublishBytes',
  StartingPublish: 'onSrsBandCheckStartingPublishBytes',
  Publishing: 'onSrsBandCheckPublishing',
  StopPublish: 'onSrsBandCheckStopPublishBytes',
  StoppedPublish: 'onSrsBandCheckStoppedPublishBytes',
  Finished: 'onSrsBandCheckFinished',
  Final: 'finalClientPacket',
} as const;

/** What the session lends the test: its connection, narrowly. */
export interface BandcheckPeer {
  /** A Flash client (swfUrl given) sends neither StoppedPublishBytes nor the final packet. */
  readonly isFlash: boolean;
  /** Sends the normal answer to `connect` (window, bandwidth, chunk size, _result). */
  acceptConnect(): void;
  /** Sends `_error` NetConnection.Connect.Rejected with this description. */
  rejectConnect(description: string): void;
  /** Sends one AMF0 command on the connection; false when the socket buffer is full. */
  sendCommand(payload: Uint8Array): boolean;
  /** Bytes written / read on the connection so far. */
  bytesSent(): number;
  bytesReceived(): number;
  /** Stop and restart reading the socket: holds a client's publish to the limit. */
  pauseInput(): void;
  resumeInput(): void;
  /** Ends the connection; a reason is logged at `level` (default info; null: a normal end). */
  end(reason: string | null, level?: 'info' | 'warn'): void;
  /** Logs a line about this connection at info (the measured result). */
  info(fields: Record<string, unknown>, msg: string): void;
}

export interface BandcheckSample {
  bytes: number;
  /** Milliseconds actually spent. */
  time: number;
  kbps: number;
}

export interface BandcheckReport {
  start_time: number;
  end_time: number;
  play_kbps: number;
  publish_kbps: number;
  play_bytes: number;
  publish_bytes: number;
  play_time: number;
  publish_time: number;
}

export interface BandcheckOptions {
  /** Length of each of the play and publish tests (SRS: 3000 ms). */
  durationMs?: number;
  /** How long a silent client is waited for at each step. */
  stepTimeoutMs?: number;
  now?: () => number;
}

const SAMPLE_MS = 3000;
const PUMP_MS = 10;
const PAUSE_MS = 100;
const PLAY_TEXT = "SRS band check data from server's playing......";
// SRS grows the play packets by two items each time; the cap keeps each under 64 KB.
const MAX_ITEMS = 1001;

type State =
  | 'wait-starting-play' | 'playing' | 'wait-stopped-play'
  | 'wait-starting-publish' | 'publishing' | 'wait-stopped-publish' | 'wait-final' | 'done';

/** True when `tcUrl`'s query carries `key=<key>` (parameters split on `&`, `?` or `,`). */
export function bandcheckKeyMatches(tcUrl: string, key: string): boolean {
  const q = tcUrl.indexOf('?');
  if (q < 0) return false;
  const value = paramValue(tcUrl.slice(q), 'key');
  return value !== null && decodeURIComponentSafe(value) === key;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One command of the test, as SRS encodes it: name, transaction 0, null, the data object. */
export function bandcheckPacket(name: string, data: Record<string, unknown> = {}): Uint8Array {
  return encodeCommand(name, 0, null, data);
}

/**
 * Runs the test for a client that said `connect` on a vhost with bandcheck on: refuses
 * it (wrong key, or tested too recently) or answers the connect and starts the play
 * test. Returns the running test, to which the session routes every later command.
 */
export function startBandcheck(peer: BandcheckPeer, config: BandcheckConfig, tcUrl: string, clock: BandcheckClock, opts: BandcheckOptions = {}): BandcheckRun {
  return new BandcheckRun(peer, config, tcUrl, clock, opts);
}

export class BandcheckRun {
  private readonly peer: BandcheckPeer;
  private readonly limitKbps: number;
  private readonly durationMs: number;
  private readonly stepTimeoutMs: number;
  private readonly now: () => number;
  private state: State = 'done';
  private timer: NodeJS.Timeout | null = null;
  private stepTimer: NodeJS.Timeout | null = null;
  private startTime = 0;
  private phaseStart = 0;
  private phaseBytes0 = 0;
  private items = 1;
  private play: BandcheckSample = { bytes: 0, time: 0, kbps: 0 };
  private publish: BandcheckSample = { bytes: 0, time: 0, kbps: 0 };
  /** The report sent to the client, once sent. */
  report: BandcheckReport | null = null;

  constructor(peer: BandcheckPeer, config: BandcheckConfig, tcUrl: string, clock: BandcheckClock, opts: BandcheckOptions) {
    this.peer = peer;
    this.limitKbps = config.limit_kbps;
    this.durationMs = opts.durationMs ?? SAMPLE_MS;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? this.durationMs * 2;
    this.now = opts.now ?? Date.now;
    if (!bandcheckKeyMatches(tcUrl, config.key)) {
      peer.rejectConnect('bandcheck key mismatch');
      // warn: a client that knows of the test but not its key (or a typo in it).
      peer.end('bandcheck refused: the key does not match', 'warn');
      return;
    }
    const now = this.now();
    const since = clock.claim(now, config.interval * 1000);
    if (since !== null) {
      peer.rejectConnect('bandcheck rejected');
      peer.end(`bandcheck refused: the last test began ${(since / 1000).toFixed(1)} s ago (interval ${config.interval} s)`);
      return;
    }
    peer.acceptConnect();
    this.startTime = now;
    this.send(BW.StartPlay, { limit_kbps: this.limitKbps, duration_ms: this.durationMs, interval_ms: 0 });
    this.expect('wait-starting-play');
  }

  /** True while the test owns the connection. */
  get active(): boolean {
    return this.state !== 'done';
  }

  /** A command from the client (everything after connect comes here). */
  onCommand(name: string): void {
    switch (this.state) {
      case 'wait-starting-play':
        if (name === BW.StartingPlay) this.startPlay();
        return;
      case 'wait-stopped-play':
        if (name !== BW.StoppedPlay) return;
        this.send(BW.StartPublish, { limit_kbps: this.limitKbps, duration_ms: this.durationMs, interval_ms: 0 });
        this.expect('wait-starting-publish');
        return;
      case 'wait-starting-publish':
        if (name === BW.StartingPublish) this.startPublish();
        return;
      case 'publishing':
        if (name === BW.StopPublish) this.stopPublish();
        else this.holdPublishToLimit();
        return;
      case 'wait-stopped-publish':
        if (name === BW.StoppedPublish) this.finish();
        return;
      case 'wait-final':
        if (name === BW.Final) this.close(null);
        return;
      default:
        return;
    }
  }

  /** The session is going away: drop every timer. */
  stop(): void {
    this.state = 'done';
    this.clearTimers();
  }

  // ---- play: the server sends ----

  private startPlay(): void {
    this.state = 'playing';
    this.clearStepTimer();
    this.phaseStart = this.now();
    this.phaseBytes0 = this.peer.bytesSent();
    this.items = 1;
    this.pump();
  }

  private pump(): void {
    this.timer = null;
    if (this.state !== 'playing') return;
    const elapsed = this.now() - this.phaseStart;
    if (elapsed >= this.durationMs) {
      this.play = sample(this.peer.bytesSent() - this.phaseBytes0, elapsed);
      this.send(BW.StopPlay, { duration_ms: this.durationMs, interval_ms: 0, duration_delta: this.play.time, bytes_delta: this.play.bytes });
      this.expect('wait-stopped-play');
      return;
    }
    // Send while under the limit (with one pump period of credit) and the socket takes it.
    const allowed = ((this.limitKbps * 1000) / 8) * ((elapsed + PUMP_MS) / 1000);
    while (this.peer.bytesSent() - this.phaseBytes0 < allowed) {
      const data: Record<string, unknown> = {};
      for (let i = 0; i < this.items; i++) data[String(i)] = PLAY_TEXT;
      this.items = Math.min(this.items + 2, MAX_ITEMS);
      if (!this.send(BW.Playing, data)) break;
    }
    this.timer = setTimeout(() => this.pump(), PUMP_MS);
  }

  // ---- publish: the client sends ----

  private startPublish(): void {
    this.state = 'publishing';
    this.clearStepTimer();
    this.phaseStart = this.now();
    this.phaseBytes0 = this.peer.bytesReceived();
    this.timer = setTimeout(() => this.stopPublish(), this.durationMs);
  }

  /** Over the limit: stop reading for a while, so TCP slows the client down. */
  private holdPublishToLimit(): void {
    const elapsed = Math.max(1, this.now() - this.phaseStart);
    const kbps = ((this.peer.bytesReceived() - this.phaseBytes0) * 8) / elapsed;
    if (kbps <= this.limitKbps || this.stepTimer) return;
    this.peer.pauseInput();
    this.stepTimer = setTimeout(() => {
      this.stepTimer = null;
      this.peer.resumeInput();
    }, PAUSE_MS);
  }

  private stopPublish(): void {
    if (this.state !== 'publishing') return;
    this.clearTimers();
    this.peer.resumeInput();
    this.publish = sample(this.peer.bytesReceived() - this.phaseBytes0, this.now() - this.phaseStart);
    this.send(BW.StopPublish, {
      duration_ms: this.durationMs, interval_ms: 0, duration_delta: this.publish.time, bytes_delta: this.publish.bytes,
    });
    if (this.peer.isFlash) this.finish();
    else this.expect('wait-stopped-publish');
  }

  // ---- report ----

  private finish(): void {
    this.clearTimers();
    const report: BandcheckReport = {
      start_time: this.startTime, end_time: this.now(),
      play_kbps: this.play.kbps, publish_kbps: this.publish.kbps,
      play_bytes: this.play.bytes, publish_bytes: this.publish.bytes,
      play_time: this.play.time, publish_time: this.publish.time,
    };
    this.report = report;
    this.peer.info({ ...report, limit_kbps: this.limitKbps }, `bandcheck done: play ${report.play_kbps} kbps, publish ${report.publish_kbps} kbps`);
    this.send(BW.Finished, { ...report });
    if (this.peer.isFlash) {
      // Flash closes on the report; give it a moment to read it.
      this.state = 'wait-final';
      this.stepTimer = setTimeout(() => this.close(null), 600);
    } else {
      this.expect('wait-final');
    }
  }

  private close(reason: string | null): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.clearTimers();
    this.peer.end(reason);
  }

  private send(name: string, data: Record<string, unknown>): boolean {
    return this.peer.sendCommand(bandcheckPacket(name, data));
  }

  /** Waits for the client's next step, bounded in time. */
  private expect(state: State): void {
    this.state = state;
    this.clearStepTimer();
    // A client that skips the final packet has its report all the same: a normal end.
    const reason = state === 'wait-final' ? null : `bandcheck: no answer from the client while in ${state}`;
    this.stepTimer = setTimeout(() => this.close(reason), this.stepTimeoutMs);
  }

  private clearStepTimer(): void {
    if (this.stepTimer) clearTimeout(this.stepTimer);
    this.stepTimer = null;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.clearStepTimer();
  }
}

function sample(bytes: number, time: number): BandcheckSample {
  return { bytes, time, kbps: time > 0 ? Math.floor((bytes * 8) / time) : 0 };
}
