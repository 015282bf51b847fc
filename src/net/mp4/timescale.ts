// FLV milliseconds to track ticks. Every time is converted from its own millisecond value,
// never accumulated from rounded durations: a fragment's tfdt is ticks(first dts) and a
// sample's duration is ticks(next dts) - ticks(dts), so the durations of a run add up to
// exactly the next run's tfdt and nothing drifts however long the stream runs.
//
// ticks(ms) = round(ms * timescale / 1000). For any timescale >= 1000 the rounding error
// (half a tick) is under half a millisecond, so round(ticks * 1000 / timescale) gives the
// millisecond value back: what ffprobe reports converts back to the FLV timestamps exactly.
// ms * timescale stays far below 2^53 (2^32 ms x 192 kHz < 2^50), so the product is exact.

import { SluiceError } from '../../errors.ts';

export function msToTicks(ms: number, timescale: number): number {
  return Math.round((ms * timescale) / 1000);
}

export function ticksToMs(ticks: number, timescale: number): number {
  return Math.round((ticks * 1000) / timescale);
}

export function checkTimescale(timescale: number): void {
  if (!Number.isInteger(timescale) || timescale < 1000 || timescale > 0xffff_ffff) {
    throw new SluiceError('MP4_MUX', `timescale ${timescale}: ms timestamps need 1000..2^32-1 ticks per second`);
  }
}
