// Timestamp correction applied once at the source, so every reader of the ring sees the
// same timeline (SRS applies it per consumer; doing it once keeps the fan-out free of
// per-player work). `full`: the stream starts at 0 and a jump (backwards, or forwards
// by more than MAX_JUMP_MS) is stitched with a small fixed step instead of being passed
// on; `zero`: only the start is moved to 0; `off`: timestamps pass untouched.

export type JitterMode = 'full' | 'zero' | 'off';

const MAX_JUMP_MS = 5000;
const MAX_BACKWARDS_MS = 1000;
const STITCH_STEP_MS = 10;

export class TimeJitter {
  readonly mode: JitterMode;
  private offset = 0;
  private started = false;
  private lastRaw = 0;
  private lastOut = 0;

  constructor(mode: JitterMode) {
    this.mode = mode;
  }

  correct(raw: number): number {
    if (this.mode === 'off') return raw >>> 0;
    if (!this.started) {
      this.started = true;
      this.offset = raw;
      this.lastRaw = raw;
      this.lastOut = 0;
      return 0;
    }
    if (this.mode === 'full') {
      const delta = raw - this.lastRaw;
      if (delta > MAX_JUMP_MS || delta < -MAX_BACKWARDS_MS) {
        // A discontinuity: keep the output timeline going as if a frame had passed.
        this.offset = raw - (this.lastOut + STITCH_STEP_MS);
      }
    }
    this.lastRaw = raw;
    let out = raw - this.offset;
    if (out < 0) out = 0;
    if (out > this.lastOut) this.lastOut = out;
    return out >>> 0;
  }
}
