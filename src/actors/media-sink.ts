// What the fan-out needs from a player, whatever carries it (an RTMP socket, an HTTP-FLV
// response): a way to queue bytes with a completion callback, how much is still queued,
// and the stream events it must relay in its own protocol.

import type { StreamEntry } from './stream-source.ts';

export type MediaFormat = 'rtmp' | 'flv';

export interface MediaSink {
  readonly id: string;
  readonly format: MediaFormat;
  /** Queue bytes; `done`, when given, fires once they have left for the kernel (or failed). */
  write(view: Buffer, done: ((err?: Error | null) => void) | null): void;
  /** Bytes queued in user space and not yet taken by the kernel. */
  queuedBytes(): number;
  /** Called before the first bytes of a (re)published stream. */
  streamStarted(entry: StreamEntry): void;
  /** The publisher left; the sink may stay (RTMP) or finish (HTTP-FLV). */
  streamEnded(): void;
  /** The fan-out gives up on this sink (it stopped reading). */
  drop(reason: string): void;
}
