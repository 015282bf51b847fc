// How full the media pool may get before each user of it gives way, most expendable first:
// files being built (HLS segments, DVR batches) stop taking blocks at the files share;
// above the pressure share live streams keep only their GOP (readers not caught up skip
// ahead); above the refuse share new publishes are refused. The files' share is below the
// pressure share, so a segment too big for the pool is dropped before it can push the
// live streams into pressure (where it would keep them, taking each block they let go).

import { BlockBuffer, type BlockPool } from '../../runtime/index.ts';

/** HLS and DVR take no more blocks above this share. */
export const FILES_SHARE = 0.75;
/** Streams keep only their GOP above this share. */
export const PRESSURE_SHARE = 0.85;
/** New publishes are refused above this share. */
export const REFUSE_SHARE = 0.95;

/** A buffer for a file being built: it takes no block once the pool is at the files' share. */
export function fileBlockBuffer(blocks: BlockPool): BlockBuffer {
  return new BlockBuffer(blocks, { maxInUse: Math.floor(blocks.blockCount * FILES_SHARE) });
}
