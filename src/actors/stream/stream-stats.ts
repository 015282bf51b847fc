// Counters of one stream for the API: bytes, frames, and the 30 s receive rate.
import { describeStream } from '../../net/codec/media-info.ts';
import { MSG_VIDEO } from './media-flags.ts';

const WINDOW_MS = 30_000;

export class StreamStats {
  recvBytes = 0;
  videoFrames = 0;
  audioFrames = 0;
  private windowStart = Date.now();
  private windowBytes = 0;
  private lastKbps = 0;

  onReceive(type: number, bytes: number): void {
    this.recvBytes += bytes;
    if (type === MSG_VIDEO) this.videoFrames++;
    else if (type === 8) this.audioFrames++;
    this.windowBytes += bytes;
    const now = Date.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.lastKbps = Math.round((this.windowBytes * 8) / (now - this.windowStart));
      this.windowStart = now;
      this.windowBytes = 0;
    }
  }

  get recvKbps30s(): number {
    return this.lastKbps;
  }

  snapshot(videoHeader: Uint8Array | null, audioHeader: Uint8Array | null, metadata: Record<string, unknown> | null) {
    const media = describeStream(videoHeader, audioHeader, metadata);
    return {
      recvBytes: this.recvBytes,
      frames: this.videoFrames,
      kbpsRecv30s: this.lastKbps,
      video: media.video,
      audio: media.audio,
    };
  }
}
