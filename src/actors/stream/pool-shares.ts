// How full the media pool may get before each user of it gives way, most expendable first:
// files being built (HLS segments, DVR batches) stop taking blocks at the pressure share,
// where live streams start keeping only their GOP (laggards skip ahead); new publishes are
// refused above the refuse share. What is left is headroom for the streams already live.

/** Streams keep only their GOP above this share; HLS and DVR take no more blocks. */
export const PRESSURE_SHARE = 0.85;
/** New publishes are refused above this share. */
export const REFUSE_SHARE = 0.95;

/** The most blocks in use at which a file being built may still take one. */
export function fileBlocksLimit(blockCount: number): number {
  return Math.floor(blockCount * PRESSURE_SHARE);
}
