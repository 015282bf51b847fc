// One HTTP-FLV benchmark viewer: a raw socket sends `GET /app/stream.flv`, then only the
// chunk framing and FLV tag headers are looked at (`http-flv-skimmer.ts`). Reads land in a
// buffer shared by all players of the thread (`onread`), so a read allocates nothing.

import net from 'node:net';
import { HttpFlvSkimmer, TAG_VIDEO, TAG_SCRIPT, type FlvSkimmerOwner } from './http-flv-skimmer.ts';
import type { BenchPlayer } from './bench-player.ts';
import type { StreamTarget } from './rtmp-wire.ts';

export interface HttpFlvPlayerOptions {
  readBuffer: Buffer;
  /** Keep every media tag's (type, timestamp, size): for tests. */
  record?: boolean;
  onClose?: (p: HttpFlvPlayer) => void;
}

export function httpFlvRequest(t: StreamTarget): Buffer {
  return Buffer.from(`GET /${t.app}/${t.stream}.flv HTTP/1.1\r\nHost: ${t.host}\r\n\r\n`, 'latin1');
}

export class HttpFlvPlayer implements BenchPlayer, FlvSkimmerOwner {
  readonly target: StreamTarget;
  readonly socket: net.Socket;
  private readonly skimmer: HttpFlvSkimmer;
  bytes = 0;
  status = 0;
  private closedFlag = false;
  lastTs = -1;
  playSentAt = 0;
  firstFrameMs = -1;
  markTs = -1;
  markWall = 0;
  mediaCount = 0;
  /** The server sent the last chunk (stream ended). */
  ended = false;
  readonly frames: { type: number; ts: number; len: number }[] | null;
  error = '';
  private readonly onClose?: (p: HttpFlvPlayer) => void;

  constructor(target: StreamTarget, opts: HttpFlvPlayerOptions) {
    this.target = target;
    this.skimmer = new HttpFlvSkimmer(this);
    this.frames = opts.record ? [] : null;
    this.onClose = opts.onClose;
    this.socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {
        buffer: opts.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          this.onBytes(buf, n);
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.playSentAt = performance.now();
      this.socket.write(httpFlvRequest(target));
    });
    this.socket.on('error', (err) => {
      if (!this.error) this.error = err.message;
    });
    this.socket.on('close', () => this.closed());
  }

  /** HTTP chunks received: one per write the server made. */
  get chunks(): number {
    return this.skimmer.chunks;
  }

  get playing(): boolean {
    return this.status === 200 && !this.closedFlag;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.socket.destroy();
  }

  private closed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.onClose?.(this);
  }

  private onBytes(buf: Uint8Array, n: number): void {
    this.bytes += n;
    this.skimmer.push(buf, 0, n);
    if (this.skimmer.error) {
      if (!this.error) this.error = this.skimmer.error;
      this.socket.destroy();
    }
  }

  onHead(status: number): void {
    this.status = status;
  }

  onTag(type: number, timestamp: number, size: number): void {
    if (type === TAG_SCRIPT) return;
    this.mediaCount++;
    if (timestamp > this.lastTs) {
      this.lastTs = timestamp;
      if (this.markTs < 0 && this.markWall > 0) this.markTs = timestamp;
    }
    if (type === TAG_VIDEO && this.firstFrameMs < 0 && this.playSentAt) this.firstFrameMs = performance.now() - this.playSentAt;
    if (this.frames) this.frames.push({ type, ts: timestamp, len: size });
  }

  onEnd(): void {
    this.ended = true;
  }

  mark(now: number): void {
    this.markWall = now;
    this.markTs = this.lastTs;
  }

  keepingUp(now: number, ratio: number): boolean {
    if (!this.playing || this.markTs < 0 || !this.markWall) return false;
    return this.lastTs - this.markTs >= ratio * (now - this.markWall);
  }
}
