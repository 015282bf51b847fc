// One benchmark player: handshake, connect, createStream, play, then only the chunk
// headers are looked at. Reads land in a buffer shared by all players of the thread
// (`onread`), so a read allocates nothing; the per-read work is the skimmer's header walk.

import net from 'node:net';
import { decodeAmf0 } from '../../src/net/rtmp/amf0.ts';
import { ChunkSkimmer, type SkimmerOwner, TYPE_COMMAND_AMF0, TYPE_USER_CONTROL, TYPE_WINDOW_ACK, TYPE_VIDEO } from './chunk-skimmer.ts';
import {
  clientHello, connectAndCreateStream, playCommand, acknowledgement, pingResponse,
  HANDSHAKE_SIZE, SERVER_HANDSHAKE_BYTES, type StreamTarget,
} from './rtmp-wire.ts';

const STATE_HANDSHAKE = 0;
const STATE_SETUP = 1;
const STATE_PLAYING = 2;
const STATE_CLOSED = 3;

export interface PlayerOptions {
  /** Read buffer; may be shared by every player of the thread. */
  readBuffer: Buffer;
  /** Keep every media message's (type, timestamp, length): for tests. */
  record?: boolean;
  /** Called once when the connection ends (cleanly or not). */
  onClose?: (p: RtmpPlayer) => void;
}

export class RtmpPlayer implements SkimmerOwner {
  readonly target: StreamTarget;
  readonly socket: net.Socket;
  private readonly skimmer: ChunkSkimmer;
  private state = STATE_HANDSHAKE;
  private hs: Buffer | null = Buffer.alloc(SERVER_HANDSHAKE_BYTES);
  private hsGot = 0;
  bytes = 0;
  private ackWindow = 0;
  private ackedAt = 0;
  /** Highest media timestamp seen (ms); -1 before the first media message. */
  lastTs = -1;
  playSentAt = 0;
  /** ms from sending play to the first video message; -1 until then. */
  firstFrameMs = -1;
  /** Keep-up window: media time and wall time at the mark. */
  markTs = -1;
  markWall = 0;
  /** For tests: status codes received, the server's client id, media messages seen. */
  readonly statusCodes: string[] = [];
  clientId = '';
  mediaCount = 0;
  readonly frames: { type: number; ts: number; len: number }[] | null;
  error = '';
  private readonly onClose?: (p: RtmpPlayer) => void;

  constructor(target: StreamTarget, opts: PlayerOptions) {
    this.target = target;
    this.skimmer = new ChunkSkimmer(this);
    this.frames = opts.record ? [] : null;
    this.onClose = opts.onClose;
    this.socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {
        buffer: opts.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          this.onBytes(buf as Buffer, n);
          return true;
        },
      },
    });
    this.socket.on('connect', () => this.socket.write(clientHello()));
    this.socket.on('error', (err) => {
      if (!this.error) this.error = err.message;
    });
    this.socket.on('close', () => this.closed());
  }

  get playing(): boolean {
    return this.state === STATE_PLAYING;
  }

  get isClosed(): boolean {
    return this.state === STATE_CLOSED;
  }

  close(): void {
    this.socket.destroy();
  }

  private closed(): void {
    if (this.state === STATE_CLOSED) return;
    this.state = STATE_CLOSED;
    this.onClose?.(this);
  }

  private onBytes(buf: Buffer, n: number): void {
    this.bytes += n;
    let o = 0;
    if (this.state === STATE_HANDSHAKE) {
      const hs = this.hs!;
      const take = Math.min(n, SERVER_HANDSHAKE_BYTES - this.hsGot);
      buf.copy(hs, this.hsGot, 0, take);
      this.hsGot += take;
      o = take;
      if (this.hsGot < SERVER_HANDSHAKE_BYTES) return;
      // C2 echoes S1.
      this.socket.write(hs.subarray(1, 1 + HANDSHAKE_SIZE));
      this.hs = null;
      this.state = STATE_SETUP;
      this.socket.write(connectAndCreateStream(this.target));
    }
    if (o < n) this.skimmer.push(buf, o, n);
    if (this.skimmer.error) {
      this.error = this.skimmer.error;
      this.socket.destroy();
      return;
    }
    if (this.ackWindow && this.bytes - this.ackedAt >= this.ackWindow) {
      this.ackedAt = this.bytes;
      this.socket.write(acknowledgement(this.bytes));
    }
  }

  onMedia(type: number, timestamp: number, length: number): void {
    this.mediaCount++;
    if (timestamp > this.lastTs) {
      this.lastTs = timestamp;
      if (this.markTs < 0 && this.markWall > 0) this.markTs = timestamp;
    }
    if (type === TYPE_VIDEO && this.firstFrameMs < 0 && this.playSentAt) this.firstFrameMs = performance.now() - this.playSentAt;
    if (this.frames) this.frames.push({ type, ts: timestamp, len: length });
  }

  onControl(type: number, payload: Buffer): void {
    if (type === TYPE_WINDOW_ACK && payload.length >= 4) {
      this.ackWindow = payload.readUInt32BE(0);
    } else if (type === TYPE_USER_CONTROL && payload.length >= 6 && payload.readUInt16BE(0) === 6) {
      this.socket.write(pingResponse(payload.readUInt32BE(2)));
    } else if (type === TYPE_COMMAND_AMF0) {
      this.onCommand(payload);
    }
  }

  private onCommand(payload: Buffer): void {
    let values: unknown[];
    try {
      values = decodeAmf0(payload);
    } catch {
      return;
    }
    const [name, txn] = values;
    if (name === '_result' && txn === 2 && this.state === STATE_SETUP) {
      const streamId = typeof values[3] === 'number' ? values[3] : 1;
      this.state = STATE_PLAYING;
      this.playSentAt = performance.now();
      this.socket.write(playCommand(streamId, this.target.stream));
    } else if (name === '_error') {
      this.error = `server refused: ${JSON.stringify(values[3] ?? null)}`;
      this.socket.destroy();
    } else if (name === 'onStatus') {
      const info = values[3] as { code?: unknown; clientid?: unknown } | undefined;
      if (info && typeof info.code === 'string') this.statusCodes.push(info.code);
      if (info && typeof info.clientid === 'string') this.clientId = info.clientid;
    }
  }

  /** Starts a keep-up window now; the media mark is taken at the next media message. */
  mark(now: number): void {
    this.markWall = now;
    this.markTs = this.lastTs;
  }

  /** Media time advanced at least `ratio` of wall time since the mark. */
  keepingUp(now: number, ratio: number): boolean {
    if (this.state !== STATE_PLAYING || this.markTs < 0 || !this.markWall) return false;
    return this.lastTs - this.markTs >= ratio * (now - this.markWall);
  }
}
