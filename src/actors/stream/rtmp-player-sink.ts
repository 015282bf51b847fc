// An RTMP player as the fan-out sees it: views of the stored wire bytes go straight to the socket.
import type { Socket } from 'node:net';
import { leaving, type MediaSink } from './media-sink.ts';
import { FirstFrameClock, type FirstFrameHistogram } from './first-frame-clock.ts';
import type { StreamEntry } from './stream-source.ts';

export interface PlayerSession {
  /** The stream's ring was chunked at this size: the player must use the same. */
  useChunkSize(size: number): void;
  unpublished(): void;
  dropped(reason: string): void;
}

export class RtmpPlayerSink implements MediaSink {
  readonly id: string;
  readonly format = 'rtmp' as const;
  private readonly firstFrame: FirstFrameClock;
  private readonly socket: Socket;
  private readonly session: PlayerSession;

  constructor(id: string, socket: Socket, session: PlayerSession, firstFrames: FirstFrameHistogram) {
    this.firstFrame = new FirstFrameClock(firstFrames, 'rtmp');
    this.id = id;
    this.socket = socket;
    this.session = session;
  }

  write(views: readonly Buffer[], count: number, done: (err?: Error | null) => void): void {
    const socket = this.socket;
    if (!socket.writable) {
      leaving(socket, () => socket.destroy());
      done(null);
      return;
    }
    this.firstFrame.written();
    if (count === 1) {
      socket.write(views[0]!, done);
      return;
    }
    // corked, the views leave in one writev
    socket.cork();
    for (let i = 0; i < count - 1; i++) socket.write(views[i]!);
    socket.write(views[count - 1]!, done);
    socket.uncork();
  }

  queuedBytes(): number {
    return this.socket.writableLength;
  }

  streamStarted(entry: StreamEntry): void {
    this.session.useChunkSize(entry.media.chunkSize);
  }

  streamEnded(): void {
    this.session.unpublished();
  }

  drop(reason: string): void {
    this.session.dropped(reason);
  }
}
