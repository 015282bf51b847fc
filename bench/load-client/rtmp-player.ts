// One RTMP benchmark player: handshake, connect, createStream, play, then only the chunk
// headers are looked at (`chunk-skimmer.ts`); the socket and the media accounting are the
// load player's (`load-player.ts`), so the per-read work is the skimmer's header walk.

import { decodeAmf0 } from '../../src/net/amf/amf0.ts';
import { ChunkSkimmer, type SkimmerOwner, TYPE_COMMAND_AMF0, TYPE_USER_CONTROL, TYPE_WINDOW_ACK, TYPE_VIDEO } from './chunk-skimmer.ts';
import {
  clientHello, connectAndCreateStream, playCommand, acknowledgement, pingResponse,
  HANDSHAKE_SIZE, SERVER_HANDSHAKE_BYTES, type StreamTarget,
} from './rtmp-wire.ts';
import { LoadPlayer, type LoadPlayerOptions } from './load-player.ts';

const STATE_HANDSHAKE = 0;
const STATE_SETUP = 1;
const STATE_PLAYING = 2;

export type PlayerOptions = LoadPlayerOptions<RtmpPlayer>;

export class RtmpPlayer extends LoadPlayer implements SkimmerOwner {
  private readonly skimmer: ChunkSkimmer = new ChunkSkimmer(this);
  private state = STATE_HANDSHAKE;
  private hs: Buffer | null = Buffer.alloc(SERVER_HANDSHAKE_BYTES);
  private hsGot = 0;
  private ackWindow = 0;
  private ackedAt = 0;
  /** For tests: status codes received, the server's client id. */
  readonly statusCodes: string[] = [];
  clientId = '';

  constructor(target: StreamTarget, opts: PlayerOptions) {
    super(target, opts, opts.onClose && (() => opts.onClose!(this)));
  }

  get playing(): boolean {
    return this.state === STATE_PLAYING && !this.isClosed;
  }

  protected connected(): void {
    this.socket.write(clientHello());
  }

  protected received(buf: Buffer, n: number): void {
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
      this.fail(this.skimmer.error);
      return;
    }
    if (this.ackWindow && this.bytes - this.ackedAt >= this.ackWindow) {
      this.ackedAt = this.bytes;
      this.socket.write(acknowledgement(this.bytes));
    }
  }

  onMedia(type: number, timestamp: number, length: number): void {
    this.media(type, timestamp, length, type === TYPE_VIDEO);
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
      this.fail(`server refused: ${JSON.stringify(values[3] ?? null)}`);
    } else if (name === 'onStatus') {
      const info = values[3] as { code?: unknown; clientid?: unknown } | undefined;
      if (info && typeof info.code === 'string') this.statusCodes.push(info.code);
      if (info && typeof info.clientid === 'string') this.clientId = info.clientid;
    }
  }
}
