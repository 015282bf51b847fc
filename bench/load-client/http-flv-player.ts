// One HTTP-FLV benchmark viewer: sends `GET /app/stream.flv`, then only the chunk framing
// and FLV tag headers are looked at (`http-flv-skimmer.ts`); the socket and the media
// accounting are the load player's (`load-player.ts`).

import { HttpFlvSkimmer, TAG_VIDEO, TAG_SCRIPT, type FlvSkimmerOwner } from './http-flv-skimmer.ts';
import { LoadPlayer, type LoadPlayerOptions } from './load-player.ts';
import type { StreamTarget } from './rtmp-wire.ts';

export type HttpFlvPlayerOptions = LoadPlayerOptions<HttpFlvPlayer>;

export function httpFlvRequest(t: StreamTarget): Buffer {
  return Buffer.from(`GET /${t.app}/${t.stream}.flv HTTP/1.1\r\nHost: ${t.host}\r\n\r\n`, 'latin1');
}

export class HttpFlvPlayer extends LoadPlayer implements FlvSkimmerOwner {
  private readonly skimmer: HttpFlvSkimmer = new HttpFlvSkimmer(this);
  status = 0;
  /** The server sent the last chunk (stream ended). */
  ended = false;

  constructor(target: StreamTarget, opts: HttpFlvPlayerOptions) {
    super(target, opts, opts.onClose && (() => opts.onClose!(this)));
  }

  /** HTTP chunks received: one per write the server made. */
  get chunks(): number {
    return this.skimmer.chunks;
  }

  get playing(): boolean {
    return this.status === 200 && !this.isClosed;
  }

  protected connected(): void {
    this.playSentAt = performance.now();
    this.socket.write(httpFlvRequest(this.target));
  }

  protected received(buf: Buffer, n: number): void {
    this.skimmer.push(buf, 0, n);
    if (this.skimmer.error) this.fail(this.skimmer.error);
  }

  onHead(status: number): void {
    this.status = status;
  }

  onTag(type: number, timestamp: number, size: number): void {
    if (type !== TAG_SCRIPT) this.media(type, timestamp, size, type === TAG_VIDEO);
  }

  onEnd(): void {
    this.ended = true;
  }
}
