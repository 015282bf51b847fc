// What both HLS muxers (mpegts and fmp4) do with the playlist an ended stream leaves on
// disk: with `cleanup`, its files are deleted `dispose` seconds later, unless the stream
// is published again meanwhile. The timer outlives the muxer that set it (the actor is
// gone by then); a new muxer of the same playlist cancels it when it starts and adopts
// the files instead. The delete checks the playlist is still the one left at the end, as
// a republish on another worker cannot cancel this thread's timer.

import { fileWork } from '../files/file-work.ts';

/** Pending disposals of a thread, by playlist path (WorkerServices.hlsDisposals). */
export type HlsDisposals = Map<string, NodeJS.Timeout>;

/** A muxer of `m3u8` starts: an earlier publish's files are its own now. */
export function cancelDisposal(disposals: HlsDisposals, m3u8: string): void {
  const pending = disposals.get(m3u8);
  if (!pending) return;
  clearTimeout(pending);
  disposals.delete(m3u8);
}

/** The stream whose playlist ended as `finalText` is over: delete it and `files` after `disposeSec`. */
export function scheduleDisposal(disposals: HlsDisposals, m3u8: string, finalText: string, files: string[], disposeSec: number): void {
  const dispose = (): void => {
    disposals.delete(m3u8);
    // Keyed by the playlist: after its last write, before a later publish's first.
    void fileWork(m3u8, [{ op: 'dispose', playlist: m3u8, text: finalText, files }]);
  };
  if (disposeSec <= 0) {
    dispose();
    return;
  }
  const t = setTimeout(dispose, disposeSec * 1000);
  t.unref();
  disposals.set(m3u8, t);
}
