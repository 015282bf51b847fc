// What every load-client player does whatever protocol it plays: one socket whose reads
// land in a buffer shared by all players of the thread (`onread`, so a read allocates
// nothing), the byte count, the error that ended it, and the media accounting the bench
// reports (media time for keep-up, time to first video frame, frames for tests). The
// protocol front ends (`rtmp-player.ts`, `http-flv-player.ts`) say what to send on
// connect and how to walk what comes back, and call `media` for each media message.

import net from 'node:net';
import type { BenchPlayer } from './bench-player.ts';
import type { StreamTarget } from './rtmp-wire.ts';

export interface LoadPlayerOptions<P> {
  /** Read buffer; may be shared by every player of the thread. */
  readBuffer: Buffer;
  /** Keep every media message's (type, timestamp, length): for tests. */
  record?: boolean;
  /** Called once when the connection ends (cleanly or not). */
  onClose?: (p: P) => void;
}

export abstract class LoadPlayer implements BenchPlayer {
  readonly target: StreamTarget;
  readonly socket: net.Socket;
  bytes = 0;
  /** Highest media timestamp seen (ms); -1 before the first media message. */
  lastTs = -1;
  playSentAt = 0;
  /** ms from the play request to the first video message; -1 until then. */
  firstFrameMs = -1;
  /** Keep-up window: media time and wall time at the mark. */
  markTs = -1;
  markWall = 0;
  mediaCount = 0;
  readonly frames: { type: number; ts: number; len: number }[] | null;
  error = '';
  private closedFlag = false;
  private readonly onClose: (() => void) | undefined;

  protected constructor(target: StreamTarget, opts: { readBuffer: Buffer; record?: boolean }, onClose: (() => void) | undefined) {
    this.target = target;
    this.frames = opts.record ? [] : null;
    this.onClose = onClose;
    this.socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {
        buffer: opts.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          this.bytes += n;
          this.received(buf as Buffer, n);
          return true;
        },
      },
    });
    this.socket.on('connect', () => this.connected());
    this.socket.on('error', (err) => {
      if (!this.error) this.error = err.message;
    });
    this.socket.on('close', () => this.closed());
  }

  /** Receiving media (RTMP sent play; HTTP-FLV got its 200 head) and still connected. */
  abstract get playing(): boolean;

  /** The socket connected: send the opening bytes. */
  protected abstract connected(): void;

  /** `n` bytes arrived at the start of `buf` (the thread's shared buffer: do not keep it). */
  protected abstract received(buf: Buffer, n: number): void;

  get isClosed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Ends the connection for a protocol error. */
  protected fail(reason: string): void {
    if (!this.error) this.error = reason;
    this.socket.destroy();
  }

  /** One media message (audio or video) arrived. */
  protected media(type: number, timestamp: number, length: number, video: boolean): void {
    this.mediaCount++;
    if (timestamp > this.lastTs) {
      this.lastTs = timestamp;
      if (this.markTs < 0 && this.markWall > 0) this.markTs = timestamp;
    }
    if (video && this.firstFrameMs < 0 && this.playSentAt) this.firstFrameMs = performance.now() - this.playSentAt;
    if (this.frames) this.frames.push({ type, ts: timestamp, len: length });
  }

  /** Starts a keep-up window now; the media mark is taken at the next media message. */
  mark(now: number): void {
    this.markWall = now;
    this.markTs = this.lastTs;
  }

  /** Media time advanced at least `ratio` of wall time since the mark. */
  keepingUp(now: number, ratio: number): boolean {
    if (!this.playing || this.markTs < 0 || !this.markWall) return false;
    return this.lastTs - this.markTs >= ratio * (now - this.markWall);
  }

  private closed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.onClose?.();
  }
}
