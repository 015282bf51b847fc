// A publisher's media written straight from the socket reads into its stream's chain:
// the chunk reader offers each message that arrives in pieces, and the source stores the
// pieces as they come (one copy, read -> pool) instead of the reader assembling the
// message first. When another chunk stream's chunk comes between the pieces, the message
// goes back to the reader (spill) with what was decided about it, so it is stored exactly
// as it would have been, only later.

import type { PayloadSink } from '../../net/rtmp/chunk-reader.ts';
import type { StreamSource } from './stream-source.ts';

export class DirectIngest implements PayloadSink {
  private source: StreamSource | null = null;
  private csid = 0;
  /** Decisions about spilled messages, by chunk stream, until they come back whole. */
  private readonly spilled = new Map<number, number>();

  /** A sink for this message, or null when the source wants it whole. */
  open(source: StreamSource, csid: number, type: number, timestamp: number, length: number, first: Uint8Array, from: number, to: number): PayloadSink | null {
    if (!source.openIngest(type, timestamp, length, first, from, to)) return null;
    this.source = source;
    this.csid = csid;
    return this;
  }

  put(src: Uint8Array, from: number, to: number): void {
    this.source?.putIngest(src, from, to);
  }

  end(): void {
    this.source?.endIngest();
    this.source = null;
  }

  spill(out: Uint8Array, filled: number): void {
    if (this.source !== null) this.spilled.set(this.csid, this.source.spillIngest(out, filled));
    this.source = null;
  }

  /** What was decided about the spilled message of this chunk stream, if any. */
  takeDecision(csid: number): number | undefined {
    const decided = this.spilled.get(csid);
    if (decided !== undefined) this.spilled.delete(csid);
    return decided;
  }

  /** The source went away: what is open or spilled is let go. */
  reset(): void {
    this.source = null;
    this.spilled.clear();
  }
}
