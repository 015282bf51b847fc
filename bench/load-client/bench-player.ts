// What a load-client thread needs from a player, whatever protocol it plays: RTMP
// (`rtmp-player.ts`) or HTTP-FLV (`http-flv-player.ts`).

export type PlayerProtocol = 'rtmp' | 'http-flv';

export interface BenchPlayer {
  /** Bytes received, cumulative. */
  readonly bytes: number;
  /** Receiving media: RTMP sent play; HTTP-FLV got its 200 head. */
  readonly playing: boolean;
  readonly isClosed: boolean;
  /** When the play request went out (ms, performance.now()); the thread zeroes it once the first frame is reported. */
  playSentAt: number;
  /** ms from the play request to the first video message; -1 until then. */
  readonly firstFrameMs: number;
  /** Why the connection ended, if not cleanly. */
  readonly error: string;
  /** Starts a keep-up window now. */
  mark(now: number): void;
  /** Media time advanced at least `ratio` of wall time since the mark. */
  keepingUp(now: number, ratio: number): boolean;
  close(): void;
}
