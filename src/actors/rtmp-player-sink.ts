// An RTMP player as the fan-out sees it: views of the stored wire bytes go straight to the socket.
import type { Socket } from 'node:net';
import type { MediaSink } from './media-sink.ts';
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
  private readonly socket: Socket;
  private readonly session: PlayerSession;

  constructor(id: string, socket: Socket, session: PlayerSession) {
    this.id = id;
    this.socket = socket;
    this.session = session;
  }

  write(view: Buffer, done: ((err?: Error | null) => void) | null): void {
    if (this.socket.destroyed) {
      done?.(null);
      return;
    }
    if (done) this.socket.write(view, done);
    else this.socket.write(view);
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
