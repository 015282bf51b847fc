// A lightweight RTMP publisher: replays an FLV file's tags in real time (or `speed`
// times faster), optionally looped, as messages chunked at 60000. Many of them share one
// pacing timer, so 100 publishers cost far less than 100 ffmpeg processes.

import net from 'node:net';
import { readFileSync } from 'node:fs';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import type { FlvTag } from '../../src/net/flv/flv-tag.ts';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import { decodeAmf0, encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import { clientHello, connectAndCreateStream, publishCommand, setChunkSize, SERVER_HANDSHAKE_BYTES, HANDSHAKE_SIZE, type StreamTarget } from '../load-client/rtmp-wire.ts';

const OUT_CHUNK_SIZE = 60000;
const PACE_MS = 10;
const CSID_VIDEO = 6;
const CSID_AUDIO = 4;
const CSID_DATA = 5;
const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

export interface FlvSource {
  tags: FlvTag[];
  /** Media duration of one pass, plus one frame, in ms: the loop's timestamp offset. */
  loopMs: number;
}

export function loadFlv(path: string): FlvSource {
  const { tags } = readFlvFile(readFileSync(path));
  const last = tags.length ? tags[tags.length - 1].timestamp : 0;
  return { tags, loopMs: last + 40 };
}

export interface PublisherOptions {
  loop?: boolean;
  speed?: number;
  /** Called when the server accepted the publish (NetStream.Publish.Start). */
  onStarted?: () => void;
  /** Called after the last tag of a non-looped replay was written. */
  onFinished?: () => void;
}

const active = new Set<FlvReplayPublisher>();
let paceTimer: NodeJS.Timeout | null = null;

function paceAll(): void {
  const now = performance.now();
  for (const p of active) p.pace(now);
  if (active.size === 0 && paceTimer) {
    clearInterval(paceTimer);
    paceTimer = null;
  }
}

export class FlvReplayPublisher {
  readonly target: StreamTarget;
  readonly socket: net.Socket;
  private readonly src: FlvSource;
  private readonly opts: PublisherOptions;
  private readonly reader = new ChunkReader();
  private hsLeft = SERVER_HANDSHAKE_BYTES;
  private hs: Buffer[] = [];
  private streamId = 1;
  private startedAt = 0;
  private index = 0;
  private loops = 0;
  sentTags = 0;
  error = '';

  constructor(target: StreamTarget, src: FlvSource, opts: PublisherOptions = {}) {
    this.target = target;
    this.src = src;
    this.opts = opts;
    this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    this.socket.on('connect', () => this.socket.write(clientHello()));
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => (this.error ||= e.message));
    this.socket.on('close', () => active.delete(this));
  }

  private onData(d: Buffer): void {
    if (this.hsLeft > 0) {
      const take = Math.min(this.hsLeft, d.length);
      this.hs.push(d.subarray(0, take));
      this.hsLeft -= take;
      if (this.hsLeft > 0) return;
      const s = Buffer.concat(this.hs);
      this.hs = [];
      this.socket.write(s.subarray(1, 1 + HANDSHAKE_SIZE));
      // Commands are chunked at 128: the new chunk size applies only after them.
      this.socket.write(connectAndCreateStream(this.target));
      this.socket.write(setChunkSize(OUT_CHUNK_SIZE));
      d = d.subarray(take);
      if (d.length === 0) return;
    }
    for (const m of this.reader.push(d)) {
      if (m.type !== 20) continue;
      const [name, txn, , info] = decodeAmf0(m.payload);
      if (name === '_result' && txn === 2) {
        this.streamId = typeof info === 'number' ? info : 1;
        this.socket.write(publishCommand(this.streamId, this.target.stream));
      } else if (name === 'onStatus') {
        const code = (info as { code?: string } | undefined)?.code ?? '';
        if (code === 'NetStream.Publish.Start') this.begin();
        else if (/error|BadName|Failed/i.test(code)) {
          this.error = code;
          this.socket.destroy();
        }
      }
    }
  }

  private begin(): void {
    this.startedAt = performance.now();
    active.add(this);
    paceTimer ??= setInterval(paceAll, PACE_MS);
    this.opts.onStarted?.();
    this.pace(this.startedAt);
  }

  /** Writes every tag whose time has come. */
  pace(now: number): void {
    const tags = this.src.tags;
    const speed = this.opts.speed ?? 1;
    const mediaNow = (now - this.startedAt) * speed;
    while (!this.socket.destroyed) {
      if (this.index >= tags.length) {
        if (!this.opts.loop) {
          active.delete(this);
          this.opts.onFinished?.();
          return;
        }
        this.index = 0;
        this.loops++;
      }
      const tag = tags[this.index];
      const ts = tag.timestamp + this.loops * this.src.loopMs;
      if (ts > mediaNow) return;
      this.index++;
      if (tag.type === 18 && this.loops > 0) continue; // metadata once
      this.send(tag, ts);
    }
  }

  private send(tag: FlvTag, ts: number): void {
    const isData = tag.type === 18;
    const payload = isData ? Buffer.concat([SET_DATA_FRAME, tag.data]) : tag.data;
    const csid = tag.type === 9 ? CSID_VIDEO : tag.type === 8 ? CSID_AUDIO : CSID_DATA;
    this.socket.write(encodeChunked({ csid, type: tag.type, streamId: this.streamId, timestamp: ts, payload }, OUT_CHUNK_SIZE));
    this.sentTags++;
  }

  stop(): void {
    active.delete(this);
    this.socket.destroy();
  }
}
