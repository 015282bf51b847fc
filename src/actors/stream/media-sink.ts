// What the fan-out needs from a player, whatever carries it (an RTMP socket, an HTTP-FLV
// response): a way to queue bytes with a completion callback, how much is still queued,
// and the stream events it must relay in its own protocol.

import type { StreamEntry } from './stream-source.ts';

export type MediaFormat = 'rtmp' | 'flv';

export interface MediaSink {
  readonly id: string;
  readonly format: MediaFormat;
  /**
   * Keeps the stream wanted on this worker (the edge pull going) without receiving any
   * media: the fan-out counts it and serves it nothing (HLS of a stream pulled from
   * another origin, whose viewers read files).
   */
  readonly holdOnly?: boolean;
  /**
   * Queue views[0..count) in one go (one system call when the socket takes them at once);
   * `done` fires once they have all left for the kernel (or failed).
   */
  write(views: readonly Buffer[], count: number, done: (err?: Error | null) => void): void;
  /** Bytes queued in user space and not yet taken by the kernel. */
  queuedBytes(): number;
  /** Called before the first bytes of a (re)published stream. */
  streamStarted(entry: StreamEntry): void;
  /** The publisher left; the sink may stay (RTMP) or finish (HTTP-FLV). */
  streamEnded(): void;
  /** The fan-out gives up on this sink (it stopped reading). */
  drop(reason: string): void;
}

/**
 * For a sink whose socket no longer takes writes. When a player shuts down its sending
 * side (FIN), Node ends the server's side at once (an HTTP server on the request's end, a
 * TCP socket without half-open), and that end waits behind whatever is still queued: a
 * write in between fails with ERR_STREAM_WRITE_AFTER_END and is logged as a connection
 * error. A player that has left needs none of the queued bytes, so the connection is
 * closed now, which also frees a socket whose peer will never read them. A socket that
 * was ended from this side (a polite goodbye) is left to flush.
 */
export function leaving(socket: { readableEnded: boolean; destroyed: boolean }, close: () => void): void {
  if (socket.readableEnded && !socket.destroyed) close();
}
