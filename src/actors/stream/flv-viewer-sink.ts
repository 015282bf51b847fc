// An HTTP-FLV viewer as the fan-out sees it. Like SRS, the response headers wait until
// the stream is live; then the FLV header, then views of the stream's tags, and the response
// ends when the publisher leaves.
//
// The body is not chunk-encoded: it runs until the connection closes (HTTP/1.1 allows a
// body delimited by close), and the views go straight to the socket. An FLV viewer gets
// two or three views per message, and chunked encoding through ServerResponse added two
// more writes to each (measured: 1,000 viewers took a whole core, most of it in the kernel).
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { leaving, type MediaSink } from './media-sink.ts';
import { FirstFrameClock, type FirstFrameHistogram } from './first-frame-clock.ts';
import { encodeFlvHeader } from '../../net/flv/flv-header.ts';
import { CORS_HEADERS } from '../../io/cors.ts';
import { SERVER_HEADER_VALUE } from '../../net/http/server-header.ts';

const FLV_HEADER = Buffer.from(encodeFlvHeader({ audio: true, video: true }));

export class FlvViewerSink implements MediaSink {
  readonly id: string;
  readonly format = 'flv' as const;
  private readonly firstFrame: FirstFrameClock;
  private readonly res: ServerResponse;
  private readonly onEnd: (reason: string | null) => void;
  private started = false;
  private socket: Socket | null = null;

  constructor(id: string, res: ServerResponse, onEnd: (reason: string | null) => void, firstFrames: FirstFrameHistogram) {
    this.firstFrame = new FirstFrameClock(firstFrames, 'flv');
    this.id = id;
    this.res = res;
    this.onEnd = onEnd;
  }

  write(views: readonly Buffer[], count: number, done: (err?: Error | null) => void): void {
    const socket = this.socket;
    if (!socket || this.res.writableEnded) {
      done(null);
      return;
    }
    if (!socket.writable) {
      leaving(socket, () => this.res.destroy());
      done(null);
      return;
    }
    this.firstFrame.written();
    // corked, the views leave in one writev
    socket.cork();
    for (let i = 0; i < count - 1; i++) socket.write(views[i]!);
    socket.write(views[count - 1]!, done);
    socket.uncork();
  }

  queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  streamStarted(): void {
    if (this.started) return;
    this.started = true;
    this.res.useChunkedEncodingByDefault = false;
    this.res.shouldKeepAlive = false;
    this.res.writeHead(200, {
      ...CORS_HEADERS,
      'Content-Type': 'video/x-flv',
      'Cache-Control': 'no-cache',
      Connection: 'close',
      Server: SERVER_HEADER_VALUE,
    });
    this.res.flushHeaders();
    this.socket = this.res.socket;
    this.socket?.write(FLV_HEADER);
  }

  streamEnded(): void {
    this.res.end();
    this.onEnd(null);
  }

  drop(reason: string): void {
    this.res.destroy();
    this.onEnd(reason);
  }
}
